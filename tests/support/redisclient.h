#pragma once

#include "redis/redisconnection.h"

#include <QStringList>

/// A blocking command client for tests, on the project's own RedisConnection.
class RedisClient
{
public:
    explicit RedisClient(const fanout::RedisUrl &url, const QString &name = QStringLiteral("fanout-test"));

    /// Connects and waits for the handshake; false after the timeout.
    bool open(int timeoutMs = 5000);
    /// Sends one command and waits for its reply (an error reply on timeout or loss).
    fanout::RedisReply command(const QList<QByteArray> &args, int timeoutMs = 5000);

    QStringList channels(const QByteArray &pattern);
    qint64 numsub(const QByteArray &channel);
    qint64 publish(const QByteArray &channel, const QByteArray &message);
    /// The names of the connected clients (CLIENT LIST), this one excluded.
    QStringList clientNames();

private:
    fanout::RedisConnection m_connection;
};
