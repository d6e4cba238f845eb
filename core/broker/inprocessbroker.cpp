#include "inprocessbroker.h"

#include "inprocessbus.h"
#include "logging.h"

#include <QTimer>

namespace fanout {

InProcessBroker::InProcessBroker(InProcessBus *bus, const QString &name, QObject *parent)
    : Broker(parent), m_bus(bus), m_name(name)
{
    m_bus->attach(this);
    connectSoon();
}

InProcessBroker::~InProcessBroker()
{
    if (m_bus) {
        dropConnection();
        m_bus->detach(this);
    }
}

void InProcessBroker::subscribe(const QByteArray &channel)
{
    if (state() != State::Connected || isSubscribed(channel))
        return;
    addSubscription(channel);
    m_bus->addSubscription(this, channel);
}

void InProcessBroker::unsubscribe(const QByteArray &channel)
{
    if (state() != State::Connected || !removeSubscription(channel))
        return;
    m_bus->removeSubscription(this, channel);
}

void InProcessBroker::publish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    // Behind parked publishes, never ahead of them.
    if (state() != State::Connected || hasParkedPublishes()) {
        queueOffline(channel, message, std::move(reply));
        return;
    }
    sendPublish(channel, message, std::move(reply));
}

void InProcessBroker::sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    countPublished();
    const qint64 receivers = m_bus->publish(channel, message);
    if (reply) {
        QMetaObject::invokeMethod(
            this, [reply = std::move(reply), receivers] { reply(receivers); }, Qt::QueuedConnection);
    }
}

void InProcessBroker::publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    if (state() != State::Connected || hasParkedPublishes()) {
        queueOffline(channel, envelope, std::move(append));
        return;
    }
    sendToHistory(channel, envelope, std::move(append));
}

void InProcessBroker::sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    countPublished();
    const std::optional<StreamPosition> position = m_bus->publishToHistory(channel, envelope, append);
    if (append.reply) {
        QMetaObject::invokeMethod(
            this, [reply = std::move(append.reply), position] { reply(position); }, Qt::QueuedConnection);
    }
}

void InProcessBroker::readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply)
{
    HistoryRead read = state() == State::Connected ? m_bus->readHistory(channel, query) : HistoryRead();
    QMetaObject::invokeMethod(
        this, [reply = std::move(reply), read = std::move(read)] { reply(read); }, Qt::QueuedConnection);
}

void InProcessBroker::changePresence(const PresenceChange &change, qint64, PresenceChangeReply reply)
{
    const qint64 remaining = state() == State::Connected ? m_bus->changePresence(change) : -1;
    if (reply) {
        QMetaObject::invokeMethod(
            this, [reply = std::move(reply), remaining] { reply(remaining); }, Qt::QueuedConnection);
    }
}

void InProcessBroker::readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply)
{
    PresenceRead read = state() == State::Connected ? m_bus->readPresence(set, nowMs) : PresenceRead();
    QMetaObject::invokeMethod(
        this, [reply = std::move(reply), read = std::move(read)] { reply(read); }, Qt::QueuedConnection);
}

void InProcessBroker::setLinkUp(bool up)
{
    if (up == m_linkUp)
        return;
    m_linkUp = up;
    if (up) {
        reconnect();
    } else {
        qCInfo(lcBroker) << m_name << "link cut";
        dropConnection();
    }
}

void InProcessBroker::onServerUp()
{
    reconnect();
}

void InProcessBroker::reconnect()
{
    if (!m_bus || !m_bus->isUp() || !m_linkUp || state() != State::Disconnected)
        return;
    setState(State::Connecting);
    finishConnect();
}

void InProcessBroker::onServerLost()
{
    dropConnection();
}

void InProcessBroker::onKilled()
{
    qCInfo(lcBroker) << m_name << "connection killed by the server";
    dropConnection();
    setState(State::Connecting);
    QTimer::singleShot(ReconnectAfterKillMs, this, [this, kill = ++m_kills] {
        if (kill == m_kills) // a later kill waits its own delay
            finishConnect();
    });
}

void InProcessBroker::onBusDestroyed()
{
    dropConnection();
    m_bus = nullptr;
}

void InProcessBroker::enqueueDelivery(const QByteArray &channel, const QByteArray &message)
{
    m_inbox.emplace_back(channel, message);
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &InProcessBroker::flushDeliveries, Qt::QueuedConnection);
    }
}

void InProcessBroker::connectSoon()
{
    if (!m_bus || !m_bus->isUp() || !m_linkUp || state() != State::Disconnected)
        return;
    setState(State::Connecting);
    QMetaObject::invokeMethod(this, &InProcessBroker::finishConnect, Qt::QueuedConnection);
}

void InProcessBroker::finishConnect()
{
    if (state() != State::Connecting || !m_bus || !m_bus->isUp() || !m_linkUp)
        return;
    setState(State::Connected);
    // What was parked goes one turn of the event loop later: as on Redis, where it waits for the
    // confirmation of the owner's subscriptions, the brokers that came back in the same instant
    // have subscribed again first.
    if (hasParkedPublishes())
        QMetaObject::invokeMethod(
            this, [this] { sendParkedPublishes(); }, Qt::QueuedConnection);
}

void InProcessBroker::dropConnection()
{
    m_inbox.clear();
    if (m_bus) {
        const QSet<QByteArray> subscribed = subscriptions();
        for (const QByteArray &channel : subscribed)
            m_bus->removeSubscription(this, channel);
    }
    setState(State::Disconnected);
}

void InProcessBroker::flushDeliveries()
{
    m_flushScheduled = false;
    auto inbox = std::exchange(m_inbox, {});
    for (auto &[channel, message] : inbox) {
        if (state() != State::Connected)
            return;
        countReceived(message.size());
        emit messageReceived(channel, message);
    }
}

}
