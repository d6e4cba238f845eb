#pragma once

#include "redisbackedbroker.h"

namespace fanout {

class SentinelResolver;

/// The Broker on a real redis-server: two connections per node (names in ClientNames),
/// `fanout:<node>:pub` (PUBLISH, normal command mode) and `fanout:<node>:sub` (subscribe mode),
/// because a connection in subscribe mode cannot publish. Connected means both are ready.
/// When either is lost the subscription set is emptied (the sub connection, if still up, is told
/// UNSUBSCRIBE so Redis agrees) and the owner resubscribes on the next Connected. Both
/// connections are probed while idle (RedisConnection::setProbeIntervalMs()), so one that stops
/// answering with its socket open is rebuilt like a lost one. With a sentinel URL both connections
/// share one SentinelResolver: one set of connections to the sentinels per node, and both
/// connections leave an old primary together when the sentinels announce a new one. Publishes,
/// history and presence are RedisBackedBroker's, on the publish connection.
class RedisBroker : public RedisBackedBroker
{
    Q_OBJECT
public:
    RedisBroker(const RedisUrl &url, const QString &nodeId, QObject *parent = nullptr);
    ~RedisBroker() override;

    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void setLinkUp(bool up) override;
    bool isLinkUp() const override { return m_linkUp; }
    void setProbeIntervalMs(int intervalMs) override;

protected:
    bool isSharded() const override { return false; }
    bool sendFor(const QByteArray &key, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler) override;

private:
    void onPush(const RedisReply &reply);
    void updateState();

    SentinelResolver *m_resolver; ///< with a sentinel URL
    RedisConnection *m_publisher;
    RedisConnection *m_subscriber;
    bool m_linkUp = true;
};

}
