#pragma once

#include <QByteArray>
#include <QList>

namespace fanout {

struct RedisReply;

/// A Lua script as Redis runs it: by its SHA1 (EVALSHA) once SCRIPT LOAD ran on the connection,
/// or by its source (EVAL) when the server answered NOSCRIPT because it lost its script cache
/// (a restart, SCRIPT FLUSH).
class RedisScript
{
public:
    explicit RedisScript(QByteArray source);

    const QByteArray &source() const { return m_source; }
    const QByteArray &sha1() const { return m_sha1; }
    /// The command words: EVALSHA (or EVAL) script numkeys keys... args...
    QList<QByteArray> call(const QList<QByteArray> &keys, const QList<QByteArray> &args, bool bySha) const;

    static bool isNoScript(const RedisReply &reply);

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

}
