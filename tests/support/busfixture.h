#pragma once

#include "broker/broker.h"
#include "redis/redisreply.h"

#include <QStringList>

#include <memory>

/// One pub/sub server for a data-driven test row: the in-process bus, a real redis-server (also
/// through I/O threads' BrokerHub) or a real Redis Cluster started for the test. Lets one suite assert the same
/// semantics on every broker.
class BusFixture
{
public:
    static QStringList kinds() { return {QStringLiteral("in-process"), QStringLiteral("redis")}; }
    /// kinds(), "threaded" (a redis-server through a BrokerHub on another thread, as fanout-node's
    /// I/O threads use it) and "cluster" (a Redis Cluster of three masters), for the suites of the
    /// Broker contract (each cluster row starts a cluster, so the other suites leave them out).
    static QStringList brokerKinds() { return kinds() << QStringLiteral("threaded") << QStringLiteral("cluster"); }
    /// Adds a "kind" column with one row per broker, for a data-driven test's _data().
    static void addKindRows();
    /// The same with brokerKinds().
    static void addBrokerKindRows();
    /// Creates the fixture of the current row's "kind" (QFETCH); nullptr with a warning.
    static std::unique_ptr<BusFixture> createForCurrentRow();
    /// Waits until `broker` is Connected; false after the timeout.
    static bool waitConnected(fanout::Broker *broker, int timeoutMs = 5000);
    /// Creates and starts the fixture; nullptr with *error on failure.
    static std::unique_ptr<BusFixture> create(const QString &kind, QString *error);
    virtual ~BusFixture();

    /// Two broker connections "a" and "b", both connected and subscribed to "ch" as the server
    /// sees it; false when that does not happen within the usual time.
    bool twoSubscribers(std::unique_ptr<fanout::Broker> &a, std::unique_ptr<fanout::Broker> &b);

    /// A new broker connection for a node; the caller owns it.
    virtual fanout::Broker *makeBroker(const QString &nodeId) = 0;
    /// PUBSUB CHANNELS pattern, sorted.
    virtual QStringList channels(const QByteArray &pattern) = 0;
    /// PUBSUB NUMSUB channel.
    virtual qint64 numsub(const QByteArray &channel) = 0;
    /// PUBLISH from outside any node (as redis-cli does); the receiver count.
    virtual qint64 publish(const QByteArray &channel, const QByteArray &message) = 0;
    /// Stops the server: every connection is lost and every subscription forgotten.
    virtual void takeDown() = 0;
    /// Starts it again at the same address. A redis-server starts without its data (the tests
    /// run it without persistence), so every history is lost; the in-process bus keeps its own.
    virtual bool bringUp() = 0;
    /// Makes the server forget the scripts loaded into it (SCRIPT FLUSH); no-op in-process.
    virtual void flushScripts() = 0;
    /// A command to a real Redis, as an administrator would send it; an error in-process.
    virtual fanout::RedisReply command(const QList<QByteArray> &args) = 0;
};
