#include "broker.h"

namespace fanout {

void Broker::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state == State::Connected) {
        if (m_everConnected)
            ++m_stats.reconnects;
        m_everConnected = true;
    } else {
        m_subscriptions.clear();
        m_pendingSubscribes = 0;
    }
    emit stateChanged(state);
}

void Broker::subscribeSent(const QByteArray &channel)
{
    m_subscriptions.insert(channel);
    ++m_pendingSubscribes;
}

void Broker::subscribeConfirmed()
{
    if (m_pendingSubscribes == 0)
        return;
    if (--m_pendingSubscribes == 0)
        subscriptionsSettled();
}

void Broker::countReceived(qsizetype bytes)
{
    ++m_stats.messagesReceived;
    m_stats.bytesReceived += quint64(bytes);
}

void Broker::queueOffline(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    ++m_stats.publishesQueued;
    m_stats.publishesDropped += m_offlineQueue.push({channel, message, std::move(reply), std::nullopt});
}

void Broker::queueOffline(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    ++m_stats.publishesQueued;
    m_stats.publishesDropped += m_offlineQueue.push({channel, envelope, {}, std::move(append)});
}

void Broker::sendParkedPublishes()
{
    if (state() != State::Connected)
        return;
    for (PublishQueue::Entry &entry : m_offlineQueue.takeAll()) {
        if (entry.history)
            sendToHistory(entry.channel, entry.message, std::move(*entry.history));
        else
            sendPublish(entry.channel, entry.message, std::move(entry.reply));
    }
}

}
