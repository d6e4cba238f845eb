#include "redisscript.h"

#include "redisreply.h"

#include <QCryptographicHash>

namespace fanout {

RedisScript::RedisScript(QByteArray source)
    : m_source(std::move(source)), m_sha1(QCryptographicHash::hash(m_source, QCryptographicHash::Sha1).toHex())
{ }

QList<QByteArray> RedisScript::call(const QList<QByteArray> &keys, const QList<QByteArray> &args, bool bySha) const
{
    QList<QByteArray> words {bySha ? QByteArray("EVALSHA") : QByteArray("EVAL"), bySha ? m_sha1 : m_source,
                             QByteArray::number(keys.size())};
    words.append(keys);
    words.append(args);
    return words;
}

bool RedisScript::isNoScript(const RedisReply &reply)
{
    return reply.isError() && reply.string.startsWith("NOSCRIPT");
}

}
