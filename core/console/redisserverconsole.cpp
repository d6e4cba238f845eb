#include "redisserverconsole.h"

#include "redis/redisconnection.h"

namespace fanout {

RedisServerConsole::RedisServerConsole(RedisConnection *connection, const QString &target, QObject *parent)
    : RedisConsole(false, parent), m_connection(connection), m_target(target)
{ }

bool RedisServerConsole::send(const QList<QByteArray> &args, ReplyHandler handler)
{
    return m_connection->send(args, std::move(handler));
}

}
