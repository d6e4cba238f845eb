#include "inprocessbus.h"

#include "globpattern.h"
#include "inprocessbroker.h"

#include <algorithm>

namespace fanout {

InProcessBus::~InProcessBus()
{
    for (InProcessBroker *connection : std::exchange(m_connections, {}))
        connection->onBusDestroyed();
}

void InProcessBus::setUp(bool up)
{
    if (up == m_up)
        return;
    m_up = up;
    const auto connections = m_connections;
    for (InProcessBroker *connection : connections) {
        if (up)
            connection->onServerUp();
        else
            connection->onServerLost();
    }
    if (!up)
        m_channels.clear();
    emit upChanged(up);
}

qint64 InProcessBus::publish(const QByteArray &channel, const QByteArray &message)
{
    if (!m_up)
        return -1;
    ++m_stats.publishes;
    m_stats.bytesIn += quint64(message.size());
    const auto it = m_channels.constFind(channel);
    if (it == m_channels.cend())
        return 0;
    const std::vector<InProcessBroker *> &subscribers = it.value();
    for (InProcessBroker *subscriber : subscribers)
        subscriber->enqueueDelivery(channel, message);
    m_stats.deliveries += subscribers.size();
    m_stats.bytesOut += quint64(message.size()) * subscribers.size();
    return qint64(subscribers.size());
}

std::optional<StreamPosition> InProcessBus::publishToHistory(const QByteArray &channel, const QByteArray &envelope,
                                                             const HistoryAppend &append)
{
    if (!m_up)
        return std::nullopt;
    const InProcessHistory::Appended appended = m_history.append(channel, envelope, append);
    if (!appended.duplicate)
        publish(channel, appended.message);
    return appended.position;
}

HistoryRead InProcessBus::readHistory(const QByteArray &channel, const HistoryQuery &query) const
{
    if (!m_up)
        return {};
    return m_history.read(channel, query);
}

QList<QByteArray> InProcessBus::channels(QByteArrayView pattern) const
{
    QList<QByteArray> result;
    for (auto it = m_channels.cbegin(); it != m_channels.cend(); ++it) {
        if (GlobPattern::matches(pattern, it.key()))
            result.append(it.key());
    }
    std::sort(result.begin(), result.end());
    return result;
}

qint64 InProcessBus::numsub(const QByteArray &channel) const
{
    const auto it = m_channels.constFind(channel);
    return it == m_channels.cend() ? 0 : qint64(it->size());
}

qint64 InProcessBus::changePresence(const PresenceChange &change)
{
    if (!m_up)
        return -1;
    qint64 remaining = 0;
    for (const auto &[channel, event] : m_presence.apply(change, &remaining))
        publish(channel, event);
    return remaining;
}

PresenceRead InProcessBus::readPresence(const QByteArray &set, qint64 nowMs) const
{
    return m_up ? m_presence.read(set, nowMs) : PresenceRead();
}

QList<const InProcessBroker *> InProcessBus::connectedClients() const
{
    QList<const InProcessBroker *> connected;
    for (const InProcessBroker *connection : m_connections) {
        if (connection->state() == Broker::State::Connected)
            connected.append(connection);
    }
    return connected;
}

bool InProcessBus::killClient(const QString &name)
{
    for (InProcessBroker *connection : m_connections) {
        if (connection->name() == name && connection->state() == Broker::State::Connected) {
            connection->onKilled();
            return true;
        }
    }
    return false;
}

void InProcessBus::attach(InProcessBroker *connection)
{
    m_connections.push_back(connection);
}

void InProcessBus::detach(InProcessBroker *connection)
{
    std::erase(m_connections, connection);
}

void InProcessBus::addSubscription(InProcessBroker *connection, const QByteArray &channel)
{
    auto &subscribers = m_channels[channel];
    if (std::find(subscribers.begin(), subscribers.end(), connection) == subscribers.end())
        subscribers.push_back(connection);
}

void InProcessBus::removeSubscription(InProcessBroker *connection, const QByteArray &channel)
{
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        return;
    std::erase(it.value(), connection);
    if (it->empty())
        m_channels.erase(it);
}

}
