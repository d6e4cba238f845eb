#include "busfixture.h"

#include "broker/brokerhub.h"
#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "broker/threadbroker.h"
#include "crossthreadcall.h"
#include "redis/clusterbroker.h"
#include "redis/redisbroker.h"
#include "redisclient.h"
#include "rediscluster.h"
#include "redisserver.h"

#include <QTest>
#include <QThread>

#include <memory>
#include <semaphore>

namespace {

class InProcessFixture : public BusFixture
{
public:
    fanout::Broker *makeBroker(const QString &nodeId) override { return new fanout::InProcessBroker(&m_bus, nodeId); }
    QStringList channels(const QByteArray &pattern) override
    {
        QStringList result;
        for (const QByteArray &channel : m_bus.channels(pattern))
            result.append(QString::fromUtf8(channel));
        return result;
    }
    qint64 numsub(const QByteArray &channel) override { return m_bus.numsub(channel); }
    qint64 publish(const QByteArray &channel, const QByteArray &message) override
    {
        return m_bus.publish(channel, message);
    }
    void takeDown() override { m_bus.setUp(false); }
    bool bringUp() override
    {
        m_bus.setUp(true);
        return true;
    }
    void flushScripts() override { }
    fanout::RedisReply command(const QList<QByteArray> &) override
    {
        return fanout::RedisReply::makeError("ERR the in-process bus takes no administrator commands");
    }

private:
    fanout::InProcessBus m_bus;
};

class RedisFixture : public BusFixture
{
public:
    fanout::RedisUrl url() const { return m_server.url(); }
    bool start(QString *error)
    {
        if (!m_server.start()) {
            *error = m_server.errorString();
            return false;
        }
        m_client = std::make_unique<RedisClient>(m_server.url());
        if (!m_client->open()) {
            *error = QStringLiteral("cannot connect to the test redis-server");
            return false;
        }
        return true;
    }
    fanout::Broker *makeBroker(const QString &nodeId) override
    {
        return new fanout::RedisBroker(m_server.url(), nodeId);
    }
    QStringList channels(const QByteArray &pattern) override { return m_client->channels(pattern); }
    qint64 numsub(const QByteArray &channel) override { return m_client->numsub(channel); }
    qint64 publish(const QByteArray &channel, const QByteArray &message) override
    {
        return m_client->publish(channel, message);
    }
    void takeDown() override { m_server.stop(); }
    bool bringUp() override { return m_server.start(m_server.port()); }
    void flushScripts() override { m_client->command({"SCRIPT", "FLUSH"}); }
    fanout::RedisReply command(const QList<QByteArray> &args) override { return m_client->command(args); }

private:
    RedisServer m_server;
    std::unique_ptr<RedisClient> m_client;
};

/// A real redis-server seen as fanout-node's I/O threads see it: each broker is a ThreadBroker
/// on the test's thread, its requests carried out and its messages received by a RedisBroker
/// behind a BrokerHub on another thread.
class ThreadedFixture : public RedisFixture
{
public:
    ThreadedFixture()
    {
        m_anchor->moveToThread(&m_thread);
        m_thread.start();
    }
    ~ThreadedFixture() override
    {
        QMetaObject::invokeMethod(
            m_anchor, [this] { qDeleteAll(m_hubs); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_anchor;
    }
    fanout::Broker *makeBroker(const QString &nodeId) override
    {
        // The URL is read here, not on the hub's thread: the server's fields belong to this one.
        // The hub's thread waits until the new broker has opened its mailbox: a broker that had
        // already connected would not be new (publishWhileConnecting asserts Connecting).
        auto created = std::make_shared<std::binary_semaphore>(0);
        auto opened = std::make_shared<std::binary_semaphore>(0);
        auto hub = std::make_shared<fanout::BrokerHub *>(nullptr);
        fanout::invokeQueued(m_anchor, [hub, created, opened, redisUrl = url(), nodeId] {
            *hub = new fanout::BrokerHub(new fanout::RedisBroker(redisUrl, nodeId));
            created->release();
            opened->acquire();
        });
        created->acquire();
        auto *broker = new fanout::ThreadBroker(*hub);
        opened->release();
        m_hubs.append(*hub);
        return broker;
    }

private:
    QThread m_thread;
    QObject *m_anchor = new QObject;
    QList<fanout::BrokerHub *> m_hubs;
};

/// A Redis Cluster of three masters: what a test asks of "the server" goes to the master that
/// owns the channel's or key's slot, as sharded pub/sub does.
class ClusterFixture : public BusFixture
{
public:
    bool start(QString *error)
    {
        if (!m_cluster.start(3)) {
            *error = m_cluster.errorString();
            return false;
        }
        return true;
    }
    fanout::Broker *makeBroker(const QString &nodeId) override
    {
        QString error;
        return new fanout::ClusterBroker(*fanout::RedisUrl::parse(m_cluster.url(), &error), nodeId);
    }
    QStringList channels(const QByteArray &pattern) override
    {
        QStringList result;
        for (int i = 0; i < m_cluster.size(); ++i) {
            for (const fanout::RedisReply &channel : onMaster(i, {"PUBSUB", "SHARDCHANNELS", pattern}).elements)
                result.append(QString::fromUtf8(channel.string));
        }
        result.sort();
        return result;
    }
    qint64 numsub(const QByteArray &channel) override
    {
        return command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer;
    }
    qint64 publish(const QByteArray &channel, const QByteArray &message) override
    {
        return command({"SPUBLISH", channel, message}).integer;
    }
    void takeDown() override { m_cluster.stop(); }
    bool bringUp() override { return m_cluster.restart(); }
    void flushScripts() override
    {
        for (int i = 0; i < m_cluster.size(); ++i)
            onMaster(i, {"SCRIPT", "FLUSH"});
    }
    /// To the owner of the slot of args[2] for PUBSUB, of args[1] otherwise.
    fanout::RedisReply command(const QList<QByteArray> &args) override
    {
        const QByteArray key = args.value(0).toUpper() == "PUBSUB" ? args.value(2) : args.value(1);
        return onMaster(m_cluster.ownerOf(RedisCluster::slotOf(key)), args);
    }

private:
    fanout::RedisReply onMaster(int index, const QList<QByteArray> &args)
    {
        if (index < 0)
            return fanout::RedisReply::makeError("ERR no master owns the slot: " + m_cluster.errorString().toUtf8());
        RedisClient client(m_cluster.master(index).url());
        if (!client.open())
            return fanout::RedisReply::makeError("ERR cannot connect to a master");
        return client.command(args);
    }

    RedisCluster m_cluster;
};

}

BusFixture::~BusFixture() = default;

bool BusFixture::waitConnected(fanout::Broker *broker, int timeoutMs)
{
    return QTest::qWaitFor([broker] { return broker->state() == fanout::Broker::State::Connected; }, timeoutMs);
}

bool BusFixture::twoSubscribers(std::unique_ptr<fanout::Broker> &a, std::unique_ptr<fanout::Broker> &b)
{
    a.reset(makeBroker(QStringLiteral("a")));
    b.reset(makeBroker(QStringLiteral("b")));
    if (!waitConnected(a.get()) || !waitConnected(b.get()))
        return false;
    a->subscribe("ch");
    b->subscribe("ch");
    return QTest::qWaitFor([this] { return numsub("ch") == 2; }, 5000);
}

std::unique_ptr<BusFixture> BusFixture::create(const QString &kind, QString *error)
{
    if (kind == QLatin1String("in-process"))
        return std::make_unique<InProcessFixture>();
    if (kind == QLatin1String("redis")) {
        auto fixture = std::make_unique<RedisFixture>();
        if (!fixture->start(error))
            return nullptr;
        return fixture;
    }
    if (kind == QLatin1String("threaded")) {
        auto fixture = std::make_unique<ThreadedFixture>();
        if (!fixture->start(error))
            return nullptr;
        return fixture;
    }
    if (kind == QLatin1String("cluster")) {
        auto fixture = std::make_unique<ClusterFixture>();
        if (!fixture->start(error))
            return nullptr;
        return fixture;
    }
    *error = QStringLiteral("unknown broker kind %1").arg(kind);
    return nullptr;
}

void BusFixture::addKindRows()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : kinds())
        QTest::newRow(qPrintable(kind)) << kind;
}

void BusFixture::addBrokerKindRows()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : brokerKinds())
        QTest::newRow(qPrintable(kind)) << kind;
}

std::unique_ptr<BusFixture> BusFixture::createForCurrentRow()
{
    QFETCH(QString, kind);
    QString error;
    auto fixture = create(kind, &error);
    if (!fixture)
        qWarning("%s", qPrintable(error));
    return fixture;
}
