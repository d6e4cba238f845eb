#pragma once

#include "broker/broker.h"
#include "redisurl.h"

#include <functional>

namespace fanout {

class RedisConnection;
class SentinelResolver;
struct RedisReply;

/// The Broker on a real redis-server: two connections per node (names in ClientNames),
/// `fanout:<node>:pub` (PUBLISH, normal command mode) and `fanout:<node>:sub` (subscribe mode),
/// because a connection in subscribe mode cannot publish. Connected means both are ready.
/// When either is lost the subscription set is emptied (the sub connection, if still up, is told
/// UNSUBSCRIBE so Redis agrees) and the owner resubscribes on the next Connected. Both
/// connections are probed while idle (RedisConnection::setProbeIntervalMs()), so one that stops
/// answering with its socket open is rebuilt like a lost one. With a sentinel URL both connections
/// share one SentinelResolver: one set of connections to the sentinels per node, and both
/// connections leave an old primary together when the sentinels announce a new one.
class RedisBroker : public Broker
{
    Q_OBJECT
public:
    static constexpr int RetryMs = 200;
    static constexpr int DefaultProbeIntervalMs = 1000;

    RedisBroker(const RedisUrl &url, const QString &nodeId, QObject *parent = nullptr);
    ~RedisBroker() override;

    State state() const override { return currentState(); }
    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void publish(const QByteArray &channel, const QByteArray &message, PublishReply reply = {}) override;
    void publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    void readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply) override;
    void changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply = {}) override;
    void readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply) override;
    void setLinkUp(bool up) override;
    bool isLinkUp() const override { return m_linkUp; }

    RedisUrl url() const { return m_url; }
    /// The liveness probe interval of both connections (DefaultProbeIntervalMs; 0: none).
    void setProbeIntervalMs(int intervalMs);
    /// Sends a node-level command (not pub/sub) on the publish connection; false while it is
    /// down. The node's registry record goes this way, so a node keeps two connections.
    bool sendCommand(const QList<QByteArray> &args);

signals:
    void errorOccurred(const QString &message);

private:
    void flushOfflineQueue();
    void loadScripts();
    /// Sends a script call by SHA, and once more by source if Redis lost the script.
    void runScript(const QList<QByteArray> &bySha, QList<QByteArray> bySource,
                   std::function<void(const RedisReply &)> handle);
    /// Sends the parked publishes again after RetryMs (a transient error while connected).
    void retrySoon();
    void sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append);
    QByteArray nextEpoch();
    void onPush(const RedisReply &reply);
    void sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply);
    void updateState();

    RedisUrl m_url;
    SentinelResolver *m_resolver; ///< with a sentinel URL
    RedisConnection *m_publisher;
    RedisConnection *m_subscriber;
    bool m_linkUp = true;
    bool m_retryScheduled = false;
    QByteArray m_epochPrefix; ///< this broker's part of the epochs it proposes
    quint64 m_epochs = 0;
};

}
