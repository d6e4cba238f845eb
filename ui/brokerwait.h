#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

namespace fanout {
class RedisConnection;
}

/// Watches a fleet connect to a Redis: a connection of its own tells why the Redis cannot be
/// reached (the fleet's nodes only log it), and a timer says when to stop waiting.
class BrokerWait : public QObject
{
    Q_OBJECT
public:
    static constexpr int TimeoutMs = 10000;

    explicit BrokerWait(QObject *parent = nullptr);

    /// Starts watching `redisUrl` (a valid URL) from now; a previous wait ends.
    void start(const QString &redisUrl, int timeoutMs = TimeoutMs);
    /// The fleet is connected, or the window no longer waits.
    void stop();
    /// The latest connection error, empty while there is none.
    QString reason() const { return m_reason; }
    bool isWaiting() const { return m_timer.isActive(); }

signals:
    void reasonChanged(const QString &reason);
    /// The fleet did not connect within the timeout; `reason` may be empty (Redis answered but
    /// the fleet is still setting up).
    void timedOut(const QString &reason);

private:
    QPointer<fanout::RedisConnection> m_probe;
    QTimer m_timer;
    QString m_reason;
};
