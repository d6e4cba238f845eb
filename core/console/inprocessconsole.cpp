#include "inprocessconsole.h"

#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"

namespace fanout {

namespace {

RedisReply integer(qint64 value)
{
    RedisReply reply;
    reply.type = RedisReply::Type::Integer;
    reply.integer = value;
    return reply;
}

RedisReply bulk(const QByteArray &value)
{
    RedisReply reply;
    reply.type = RedisReply::Type::String;
    reply.string = value;
    return reply;
}

RedisReply array(QList<RedisReply> elements)
{
    RedisReply reply;
    reply.type = RedisReply::Type::Array;
    reply.elements = std::move(elements);
    return reply;
}

RedisReply unknownCommand(const QList<QByteArray> &args)
{
    QByteArray quoted;
    for (qsizetype i = 1; i < args.size(); ++i)
        quoted += "'" + args.at(i) + "' ";
    return RedisReply::makeError("ERR unknown command '" + args.first() + "', with args beginning with: " + quoted);
}

}

InProcessConsole::InProcessConsole(InProcessBus *bus, QObject *parent) : RedisConsole(true, parent), m_bus(bus)
{ }

bool InProcessConsole::send(const QList<QByteArray> &args, ReplyHandler handler)
{
    handler(reply(args));
    return true;
}

RedisReply InProcessConsole::reply(const QList<QByteArray> &args) const
{
    if (args.isEmpty())
        return RedisReply::makeError("ERR empty command");
    if (!m_bus->isUp())
        return RedisReply::makeError("ERR the in-process broker is down");
    const QByteArray command = args.first().toUpper();
    if (command == "PING") {
        RedisReply pong;
        pong.type = args.size() > 1 ? RedisReply::Type::String : RedisReply::Type::Status;
        pong.string = args.size() > 1 ? args.at(1) : QByteArray("PONG");
        return pong;
    }
    if (command == "PUBLISH") {
        if (args.size() != 3)
            return RedisReply::makeError("ERR wrong number of arguments for 'publish' command");
        return integer(m_bus->publish(args.at(1), args.at(2)));
    }
    if (command == "CLIENT" && args.size() == 2 && args.at(1).toUpper() == "LIST")
        return clientList();
    if (command == "PUBSUB" && args.size() >= 2)
        return pubsub(args);
    return unknownCommand(args);
}

RedisReply InProcessConsole::pubsub(const QList<QByteArray> &args) const
{
    const QByteArray sub = args.at(1).toUpper();
    if (sub == "CHANNELS" && args.size() <= 3) {
        QList<RedisReply> elements;
        const QByteArrayView pattern = args.size() == 3 ? QByteArrayView(args.at(2)) : QByteArrayView("*");
        for (const QByteArray &channel : m_bus->channels(pattern))
            elements.append(bulk(channel));
        return array(elements);
    }
    if (sub == "NUMSUB") {
        QList<RedisReply> elements;
        for (qsizetype i = 2; i < args.size(); ++i) {
            elements.append(bulk(args.at(i)));
            elements.append(integer(m_bus->numsub(args.at(i))));
        }
        return array(elements);
    }
    if (sub == "NUMPAT" && args.size() == 2)
        return integer(0);
    return unknownCommand(args);
}

RedisReply InProcessConsole::clientList() const
{
    QByteArray list;
    qint64 id = 1;
    for (const InProcessBroker *client : m_bus->connectedClients()) {
        list += "id=" + QByteArray::number(id++) + " name=" + client->name().toUtf8()
            + " sub=" + QByteArray::number(client->subscriptions().size()) + " cmd=subscribe\n";
    }
    return bulk(list);
}

}
