#pragma once

#include "broker/broker.h"
#include "redisconnection.h"
#include "redisurl.h"

#include <QTimer>

namespace fanout {

class RedisScript;

/// What every Broker on Redis shares, whatever the topology: the offline queue flushed on
/// Connected, the history and presence scripts with their retries, and node-level commands.
/// A subclass says where a command for a key goes (sendFor()) and how it publishes:
/// RedisBroker (one server, or the primary that Sentinel names) with PUBLISH, ClusterBroker
/// (a Redis Cluster) with SPUBLISH to the owner of the channel's slot. create() picks by URL.
class RedisBackedBroker : public Broker
{
    Q_OBJECT
public:
    static constexpr int RetryMs = 200;
    /// The longest a publish waits for this broker's subscriptions to be confirmed.
    static constexpr int SubscribeHoldMs = 500;
    static constexpr int DefaultProbeIntervalMs = 1000;

    /// A ClusterBroker for a cluster URL, else a RedisBroker.
    static RedisBackedBroker *create(const RedisUrl &url, const QString &nodeId, QObject *parent = nullptr);

    RedisBackedBroker(const RedisUrl &url, QObject *parent);

    State state() const override { return currentState(); }
    void publish(const QByteArray &channel, const QByteArray &message, PublishReply reply = {}) override;
    void publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    void readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply) override;
    void changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply = {}) override;
    void readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply) override;

    RedisUrl url() const { return m_url; }
    /// The liveness probe interval of every connection (DefaultProbeIntervalMs; 0: none).
    virtual void setProbeIntervalMs(int intervalMs) = 0;
    /// Sends a node-level command (not pub/sub) whose key is args[1], such as the node's
    /// registry record; false when it cannot go now.
    bool sendCommand(const QList<QByteArray> &args) { return sendFor(args.value(1), args, {}); }

signals:
    void errorOccurred(const QString &message);

protected:
    /// Whether messages go by sharded pub/sub (SPUBLISH, SSUBSCRIBE), as on a Cluster.
    virtual bool isSharded() const = 0;
    /// Sends a command touching `key` (a channel or a key) where it belongs; false, calling
    /// nothing, when that connection is not ready.
    virtual bool sendFor(const QByteArray &key, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler)
        = 0;

    /// On (re)connecting, after the owner subscribed again: flushes the offline queue once those
    /// subscriptions are confirmed, so that the owner's own members hear what it parked.
    void flushWhenSubscribed();
    /// Whether a subscription this broker asked for is not confirmed yet: a message published
    /// now might not come back to it (PUBLISH and SUBSCRIBE go by different connections).
    virtual bool subscribesOutstanding() const { return pendingSubscribes() > 0; }
    void subscriptionsSettled() override;
    /// Loads the scripts on a command connection that just became ready, so that every call
    /// after it finds them.
    static void loadScripts(RedisConnection *connection);
    /// Loads them again where `key` lives, after that server answered NOSCRIPT.
    void loadScriptsFor(const QByteArray &key);

private:
    /// Sends a script call by SHA, and once more by source if Redis lost the script.
    void runScript(const QByteArray &key, const QList<QByteArray> &bySha, QList<QByteArray> bySource,
                   std::function<void(const RedisReply &)> handle);
    /// Sends the parked publishes again after RetryMs (a transient error while connected).
    void retrySoon();
    /// Holds the parked publishes until subscriptionsSettled(), at most SubscribeHoldMs.
    void holdForSubscribes();
    /// Whether a publish goes out now rather than into the queue.
    bool canSendNow() const;
    void sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply) override;
    void sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    /// Sharded: publishes the events the presence script answered with (it cannot publish to a
    /// channel outside its own slot) through publish(), so they wait behind parked publishes and
    /// for this broker's subscriptions as messages do; returns how many entries the set still holds.
    qint64 publishPresenceEvents(const QByteArray &channel, const RedisReply &answer);
    QByteArray nextEpoch();

    RedisUrl m_url;
    bool m_retryScheduled = false;
    QTimer *m_subscribeHold;
    QByteArray m_epochPrefix; ///< this broker's part of the epochs it proposes
    quint64 m_epochs = 0;
};

}
