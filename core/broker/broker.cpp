#include "broker.h"

namespace fanout {

void Broker::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state != State::Connected) {
        m_subscriptions.clear();
        m_pendingSubscribes = 0;
    }
    emit stateChanged(state);
}

void Broker::queueOffline(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    ++m_stats.publishesQueued;
    m_stats.publishesDropped += m_offlineQueue.push({channel, message, std::move(reply)});
}

}
