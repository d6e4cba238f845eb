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
    const auto subscribers = it.value();
    for (InProcessBroker *subscriber : subscribers)
        subscriber->enqueueDelivery(channel, message);
    m_stats.deliveries += subscribers.size();
    m_stats.bytesOut += quint64(message.size()) * subscribers.size();
    return qint64(subscribers.size());
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

QStringList InProcessBus::clientNames() const
{
    QStringList names;
    for (const InProcessBroker *connection : m_connections) {
        if (connection->state() == Broker::State::Connected)
            names.append(connection->name());
    }
    return names;
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

RedisReply InProcessBus::execute(const QList<QByteArray> &args)
{
    const auto integer = [](qint64 value) {
        RedisReply reply;
        reply.type = RedisReply::Type::Integer;
        reply.integer = value;
        return reply;
    };
    const auto bulk = [](const QByteArray &value) {
        RedisReply reply;
        reply.type = RedisReply::Type::String;
        reply.string = value;
        return reply;
    };
    const auto array = [](QList<RedisReply> elements) {
        RedisReply reply;
        reply.type = RedisReply::Type::Array;
        reply.elements = std::move(elements);
        return reply;
    };
    const auto wrongArity = [&args] {
        return RedisReply::makeError("ERR wrong number of arguments for '" + args.first().toLower()
                                     + "' command");
    };
    if (args.isEmpty())
        return RedisReply::makeError("ERR empty command");
    if (!m_up)
        return RedisReply::makeError("ERR the in-process broker is down");
    const QByteArray command = args.first().toUpper();
    if (command == "PING") {
        RedisReply reply;
        reply.type = args.size() > 1 ? RedisReply::Type::String : RedisReply::Type::Status;
        reply.string = args.size() > 1 ? args.at(1) : QByteArray("PONG");
        return reply;
    }
    if (command == "PUBLISH") {
        if (args.size() != 3)
            return wrongArity();
        return integer(publish(args.at(1), args.at(2)));
    }
    if (command == "CLIENT" && args.size() == 2 && args.at(1).toUpper() == "LIST") {
        QByteArray list;
        qint64 id = 1;
        for (const InProcessBroker *connection : m_connections) {
            if (connection->state() != Broker::State::Connected)
                continue;
            list += "id=" + QByteArray::number(id++) + " name=" + connection->name().toUtf8()
                    + " sub=" + QByteArray::number(connection->subscriptions().size()) + " cmd=subscribe\n";
        }
        return bulk(list);
    }
    if (command == "PUBSUB" && args.size() >= 2) {
        const QByteArray sub = args.at(1).toUpper();
        if (sub == "CHANNELS" && args.size() <= 3) {
            QList<RedisReply> elements;
            for (const QByteArray &channel : channels(args.size() == 3 ? QByteArrayView(args.at(2)) : QByteArrayView("*")))
                elements.append(bulk(channel));
            return array(elements);
        }
        if (sub == "NUMSUB") {
            QList<RedisReply> elements;
            for (qsizetype i = 2; i < args.size(); ++i) {
                elements.append(bulk(args.at(i)));
                elements.append(integer(numsub(args.at(i))));
            }
            return array(elements);
        }
        if (sub == "NUMPAT" && args.size() == 2)
            return integer(0);
    }
    QByteArray quoted;
    for (qsizetype i = 1; i < args.size(); ++i)
        quoted += "'" + args.at(i) + "' ";
    return RedisReply::makeError("ERR unknown command '" + args.first() + "', with args beginning with: " + quoted);
}

}
