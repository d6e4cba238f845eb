#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "busfixture.h"
#include "console/inprocessconsole.h"
#include "console/redisserverconsole.h"
#include "redis/redisbroker.h"
#include "redisclient.h"
#include "redisserver.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace fanout;

namespace {

const QString Refusal = QStringLiteral("(error) ERR refused: read-only mode (allow writes first)");

/// A console with writes allowed on a server where one node's connection is subscribed to
/// ws:room:a and other:b: the in-process bus or a real redis-server.
class ConsoleBench
{
public:
    static std::unique_ptr<ConsoleBench> create(const QString &kind, QString *error);
    virtual ~ConsoleBench() = default;

    virtual RedisConsole *console() = 0;
    virtual Broker *node() = 0;
    /// Stops the server under the console; true once the console can tell.
    virtual bool takeDown() = 0;

    /// Waits until the node's subscriptions are confirmed.
    bool subscribeNode()
    {
        if (!QTest::qWaitFor([this] { return node()->state() == Broker::State::Connected; }, 5000))
            return false;
        node()->subscribe("ws:room:a");
        node()->subscribe("other:b");
        return QTest::qWaitFor([this] { return node()->pendingSubscribes() == 0; }, 5000);
    }
};

class InProcessBench : public ConsoleBench
{
public:
    RedisConsole *console() override { return &m_console; }
    Broker *node() override { return &m_node; }
    bool takeDown() override
    {
        m_bus.setUp(false);
        return true;
    }

private:
    InProcessBus m_bus;
    InProcessBroker m_node {&m_bus, QStringLiteral("node-1")};
    InProcessConsole m_console {&m_bus};
};

class RedisBench : public ConsoleBench
{
public:
    bool start(QString *error)
    {
        if (!m_server.start()) {
            *error = m_server.errorString();
            return false;
        }
        m_connection = std::make_unique<RedisConnection>(m_server.url(), QStringLiteral("console"),
                                                         RedisConnection::Mode::Command);
        m_console = std::make_unique<RedisServerConsole>(m_connection.get(), m_server.url().toDisplayString());
        m_console->setWritesAllowed(true);
        m_node = std::make_unique<RedisBroker>(m_server.url(), QStringLiteral("node-1"));
        m_connection->open();
        if (!QTest::qWaitFor([this] { return m_connection->isReady(); }, 5000)) {
            *error = QStringLiteral("the console's connection never became ready");
            return false;
        }
        return true;
    }
    RedisConsole *console() override { return m_console.get(); }
    Broker *node() override { return m_node.get(); }
    bool takeDown() override
    {
        m_server.stop();
        return QTest::qWaitFor([this] { return !m_connection->isReady(); }, 5000);
    }

private:
    RedisServer m_server;
    std::unique_ptr<RedisConnection> m_connection;
    std::unique_ptr<RedisServerConsole> m_console;
    std::unique_ptr<RedisBroker> m_node;
};

std::unique_ptr<ConsoleBench> ConsoleBench::create(const QString &kind, QString *error)
{
    if (kind == QLatin1String("in-process"))
        return std::make_unique<InProcessBench>();
    auto bench = std::make_unique<RedisBench>();
    if (!bench->start(error))
        return nullptr;
    return bench;
}

/// A read-only console on its own connection to a redis-server, as the inspector has one.
class ServerConsole
{
public:
    explicit ServerConsole(const RedisUrl &url)
        : m_connection(url, QStringLiteral("console"), RedisConnection::Mode::Command),
          m_console(&m_connection, url.toDisplayString())
    {
        m_connection.open();
    }
    bool waitReady()
    {
        return QTest::qWaitFor([this] { return m_connection.isReady(); }, 5000);
    }
    RedisServerConsole *operator->() { return &m_console; }
    RedisServerConsole *get() { return &m_console; }

private:
    RedisConnection m_connection;
    RedisServerConsole m_console;
};

/// Executes one line and returns its answer, or a note that none came.
QString answerTo(RedisConsole *console, const QString &commandLine)
{
    QSignalSpy answered(console, &RedisConsole::answered);
    console->execute(commandLine);
    if (answered.isEmpty() && !answered.wait(5000))
        return QStringLiteral("(no answer)");
    return answered.first().at(1).toString();
}

}

class tst_Console : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void answersAsRedis_data();
    void answersAsRedis();
    void clientListShowsTheNode_data();
    void clientListShowsTheNode();
    void serverDownIsAnError_data();
    void serverDownIsAnError();

    void inProcessAllowsWrites();
    void serverConsoleRefusesWritesByDefault_data();
    void serverConsoleRefusesWritesByDefault();
    void serverConsoleReadsWhileReadOnly();
    void allowingWritesLetsThemThrough();

private:
    RedisServer m_redis;
};

void tst_Console::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Console::answersAsRedis_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("commandLine");
    QTest::addColumn<QString>("answer");
    const QString unknown = QStringLiteral("(error) ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' ");
    const QString modal = QStringLiteral("(error) %1 changes how this connection replies: use redis-cli for it");
    for (const QString &kind : BusFixture::kinds()) {
        const auto row = [&kind](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", qPrintable(kind), name) << kind;
        };
        row("ping") << "PING"
                    << "PONG";
        row("ping message") << "ping 'hello there'"
                            << "\"hello there\"";
        row("publish counts receivers") << "PUBLISH ws:room:a x"
                                        << "(integer) 1";
        row("publish to nobody") << "PUBLISH ws:room:none x"
                                 << "(integer) 0";
        row("channels by pattern") << "PUBSUB CHANNELS ws:room:*"
                                   << "1) \"ws:room:a\"";
        row("numsub") << "PUBSUB NUMSUB ws:room:a ws:room:none"
                      << "1) \"ws:room:a\"\n2) (integer) 1\n3) \"ws:room:none\"\n4) (integer) 0";
        row("numpat") << "PUBSUB NUMPAT"
                      << "(integer) 0";
        row("unknown command") << "NOSUCH x y" << unknown;
        row("subscribe refused") << "SUBSCRIBE ws:room:a" << modal.arg(QLatin1String("SUBSCRIBE"));
        row("monitor refused") << "MONITOR" << modal.arg(QLatin1String("MONITOR"));
        row("client reply refused") << "CLIENT REPLY OFF" << modal.arg(QLatin1String("CLIENT REPLY"));
    }
}

void tst_Console::answersAsRedis()
{
    QFETCH(QString, kind);
    QFETCH(QString, commandLine);
    QFETCH(QString, answer);
    QString error;
    auto bench = ConsoleBench::create(kind, &error);
    QVERIFY2(bench, qPrintable(error));
    QVERIFY(bench->subscribeNode());
    QCOMPARE(answerTo(bench->console(), commandLine), answer);
}

void tst_Console::clientListShowsTheNode_data()
{
    BusFixture::addKindRows();
}

void tst_Console::clientListShowsTheNode()
{
    QFETCH(QString, kind);
    QString error;
    auto bench = ConsoleBench::create(kind, &error);
    QVERIFY2(bench, qPrintable(error));
    QVERIFY(bench->subscribeNode());
    const QString list = answerTo(bench->console(), QStringLiteral("CLIENT LIST"));
    const QStringList subscribers = list.split(QLatin1Char('\n')).filter(QLatin1String(" sub=2 "));
    QCOMPARE(subscribers.size(), 1);
    QVERIFY2(subscribers.first().contains(QLatin1String("node-1")), qPrintable(list));
}

void tst_Console::serverDownIsAnError_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("answer");
    QTest::newRow("in-process") << QStringLiteral("in-process")
                                << QStringLiteral("(error) ERR the in-process broker is down");
    QTest::newRow("redis") << QStringLiteral("redis") << QStringLiteral("(error) not connected to redis://");
}

void tst_Console::serverDownIsAnError()
{
    QFETCH(QString, kind);
    QFETCH(QString, answer);
    QString error;
    auto bench = ConsoleBench::create(kind, &error);
    QVERIFY2(bench, qPrintable(error));
    QVERIFY(bench->takeDown());
    const QString answered = answerTo(bench->console(), QStringLiteral("PING"));
    QVERIFY2(answered.startsWith(answer), qPrintable(answered));
}

void tst_Console::inProcessAllowsWrites()
{
    InProcessBus bus;
    InProcessConsole console(&bus);
    QVERIFY(console.writesAllowed());
    QCOMPARE(console.target(), QStringLiteral("in-process"));
}

void tst_Console::serverConsoleRefusesWritesByDefault_data()
{
    QTest::addColumn<QString>("commandLine");
    QTest::newRow("flushall") << QStringLiteral("FLUSHALL");
    QTest::newRow("config set") << QStringLiteral("CONFIG SET maxmemory 1");
    QTest::newRow("set") << QStringLiteral("SET kept overwritten");
    QTest::newRow("del") << QStringLiteral("DEL kept");
    QTest::newRow("publish") << QStringLiteral("PUBLISH ws:room:a x");
    // CLUSTER is allowed for its reads only (SHARDS, SLOTS, INFO, MYID, NODES, KEYSLOT).
    QTest::newRow("cluster setslot") << QStringLiteral("CLUSTER SETSLOT 1 STABLE");
    QTest::newRow("cluster failover") << QStringLiteral("CLUSTER FAILOVER");
    QTest::newRow("cluster forget") << QStringLiteral("CLUSTER FORGET 0123");
}

void tst_Console::serverConsoleRefusesWritesByDefault()
{
    QFETCH(QString, commandLine);
    RedisClient admin(m_redis.url(), QStringLiteral("admin"));
    QCOMPARE(admin.command({"SET", "kept", "1"}).string, QByteArray("OK"));
    QCOMPARE(admin.command({"CONFIG", "SET", "maxmemory", "0"}).string, QByteArray("OK"));
    ServerConsole console(m_redis.url());
    QVERIFY(console.waitReady());
    QVERIFY(!console->writesAllowed());

    QCOMPARE(answerTo(console.get(), commandLine), Refusal);
    QCOMPARE(admin.command({"GET", "kept"}).string, QByteArray("1"));
    QCOMPARE(admin.command({"CONFIG", "GET", "maxmemory"}).elements.value(1).string, QByteArray("0"));
}

void tst_Console::serverConsoleReadsWhileReadOnly()
{
    RedisClient admin(m_redis.url(), QStringLiteral("admin"));
    QCOMPARE(admin.command({"SET", "kept", "1"}).string, QByteArray("OK"));
    ServerConsole console(m_redis.url());
    QVERIFY(console.waitReady());
    QCOMPARE(answerTo(console.get(), QStringLiteral("PING")), QStringLiteral("PONG"));
    QCOMPARE(answerTo(console.get(), QStringLiteral("EXISTS kept")), QStringLiteral("(integer) 1"));
    QCOMPARE(answerTo(console.get(), QStringLiteral("CONFIG GET maxmemory")),
             QStringLiteral("1) \"maxmemory\"\n2) \"0\""));
}

void tst_Console::allowingWritesLetsThemThrough()
{
    RedisClient admin(m_redis.url(), QStringLiteral("admin"));
    QCOMPARE(admin.command({"SET", "kept", "1"}).string, QByteArray("OK"));
    ServerConsole console(m_redis.url());
    QVERIFY(console.waitReady());
    QCOMPARE(answerTo(console.get(), QStringLiteral("FLUSHALL")), Refusal);
    QCOMPARE(admin.command({"DBSIZE"}).integer, 1);

    QSignalSpy modeChanged(console.get(), &RedisConsole::writesAllowedChanged);
    console->setWritesAllowed(true);
    QCOMPARE(modeChanged.size(), 1);
    QCOMPARE(modeChanged.first().first().toBool(), true);
    QCOMPARE(answerTo(console.get(), QStringLiteral("FLUSHALL")), QStringLiteral("OK"));
    QCOMPARE(admin.command({"DBSIZE"}).integer, 0);
}

QTEST_GUILESS_MAIN(tst_Console)
#include "tst_console.moc"
