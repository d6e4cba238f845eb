#include "freezingproxy.h"
#include "node/node.h"
#include "quiet.h"
#include "recordingsession.h"
#include "redis/clusterslotmap.h"
#include "redis/historyscripts.h"
#include "redis/presencescripts.h"
#include "redis/redisbroker.h"
#include "redis/rediscommandline.h"
#include "redis/redisconnection.h"
#include "redis/redisurl.h"
#include "redisclient.h"
#include "redisserver.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <limits>

using fanout::RedisConnection;
using fanout::RedisReply;
using fanout::RedisUrl;

class tst_Redis : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void commandLineSplitsLikeRedisCli_data();
    void commandLineSplitsLikeRedisCli();
    void urlParsing_data();
    void urlParsing();
    void replyPrintsLikeRedisCli_data();
    void replyPrintsLikeRedisCli();
    void repliesFromTheWire_data();
    void repliesFromTheWire();
    void oversizedArrayFailsTheConnection();
    void handshakeNamesAndSelects();
    void authentication();
    void reconnectBackoffIsCapped();
    void pendingRepliesFailOnLoss();
    void brokerNamesItsTwoConnections();
    void nodeResubscribesAfterItsSubscriberIsKilled();
    void probeRebuildsAFrozenSubscribeConnection();
    void brokerResubscribesAfterAFrozenConnection();
    void noProbeUnderSteadyTraffic();

private:
    RedisServer m_server;
};

void tst_Redis::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void tst_Redis::commandLineSplitsLikeRedisCli_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QList<QByteArray>>("words");
    QTest::addRow("plain") << "PUBSUB NUMSUB ws:room:1" << QList<QByteArray> {"PUBSUB", "NUMSUB", "ws:room:1"};
    QTest::addRow("spaces") << "  PING   " << QList<QByteArray> {"PING"};
    QTest::addRow("single quotes") << R"(PUBLISH c '{"payload":{"type":"ping"}}')"
                                   << QList<QByteArray> {"PUBLISH", "c", R"({"payload":{"type":"ping"}})"};
    QTest::addRow("double quotes") << R"(SET k "a b\n\x41")" << QList<QByteArray> {"SET", "k", "a b\nA"};
    QTest::addRow("empty") << "" << QList<QByteArray> {};
}

void tst_Redis::commandLineSplitsLikeRedisCli()
{
    QFETCH(QString, line);
    QFETCH(QList<QByteArray>, words);
    QString error;
    const auto split = fanout::RedisCommandLine::split(line, &error);
    QVERIFY2(split, qPrintable(error));
    QCOMPARE(*split, words);
    QVERIFY(!fanout::RedisCommandLine::split(QStringLiteral("GET 'open"), &error));
    QVERIFY(error.contains(QLatin1String("unbalanced")));
    QVERIFY(fanout::RedisCommandLine::isConsoleSafe({"PUBSUB", "NUMSUB", "x"}, &error));
    for (const QList<QByteArray> &modal :
         {QList<QByteArray> {"subscribe", "x"}, {"MONITOR"}, {"client", "reply", "off"}, {"QUIT"}}) {
        QVERIFY(!fanout::RedisCommandLine::isConsoleSafe(modal, &error));
        QVERIFY(error.contains(QLatin1String("changes how this connection replies")));
    }
}

void tst_Redis::urlParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("error");
    QTest::addRow("host and port") << "redis://10.0.0.5:6380" << true << "10.0.0.5" << 6380 << ""
                                   << "" << 0 << "";
    QTest::addRow("default port") << "redis://cache" << true << "cache" << 6379 << ""
                                  << "" << 0 << "";
    QTest::addRow("password only") << "redis://:s3cret@h:1" << true << "h" << 1 << ""
                                   << "s3cret" << 0 << "";
    QTest::addRow("user and password") << "redis://app:p%40ss@h:2/4" << true << "h" << 2 << "app"
                                       << "p@ss" << 4 << "";
    QTest::addRow("tls") << "rediss://h:1" << true << "h" << 1 << ""
                         << "" << 0 << "";
    QTest::addRow("tls with user and db") << "rediss://app:s3cret@h:2/4" << true << "h" << 2 << "app"
                                          << "s3cret" << 4 << "";
    QTest::addRow("http") << "http://h:1" << false << "" << 0 << ""
                          << "" << 0 << "scheme";
    QTest::addRow("bad db") << "redis://h:1/x" << false << "" << 0 << ""
                            << "" << 0 << "database";
    QTest::addRow("bad port") << "redis://h:99999" << false << "" << 0 << ""
                              << "" << 0 << "invalid";
}

void tst_Redis::urlParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto url = RedisUrl::parse(text, nullptr);
    QCOMPARE(bool(url), valid);
    if (!valid) {
        QFETCH(QString, error);
        QString message;
        RedisUrl::parse(text, &message);
        QVERIFY2(message.contains(error), qPrintable(message));
        return;
    }
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(int, db);
    QCOMPARE(url->host, host);
    QCOMPARE(int(url->port), port);
    QCOMPARE(url->user, user);
    QCOMPARE(url->password, password);
    QCOMPARE(url->db, db);
    QVERIFY(!url->toDisplayString().contains(QLatin1String("s3cret")));
    QCOMPARE(url->tls, text.startsWith(QLatin1String("rediss://")));
    QVERIFY(url->toDisplayString().startsWith(text.section(QLatin1Char(':'), 0, 0) + QLatin1String("://")));
}

void tst_Redis::replyPrintsLikeRedisCli_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addRow("status") << QStringList {"SET", "greeting", "hello"};
    QTest::addRow("string") << QStringList {"GET", "greeting"};
    QTest::addRow("nil") << QStringList {"GET", "missing"};
    QTest::addRow("integer") << QStringList {"INCR", "counter"};
    QTest::addRow("error") << QStringList {"NOSUCHCOMMAND"};
    QTest::addRow("empty array") << QStringList {"PUBSUB", "CHANNELS", "nothing:*"};
    QTest::addRow("flat array") << QStringList {"PUBSUB", "NUMSUB", "a", "b"};
    QTest::addRow("long array") << QStringList {"RPUSH", "list", "1", "2", "3",  "4", "5",
                                                "6",     "7",    "8", "9", "10", "11"};
    QTest::addRow("list") << QStringList {"LRANGE", "list", "0", "-1"};
}

void tst_Redis::replyPrintsLikeRedisCli()
{
    QFETCH(QStringList, command);
    RedisClient client(m_server.url());
    QList<QByteArray> args;
    for (const QString &arg : command)
        args.append(arg.toUtf8());
    const QString ours = client.command(args).toDisplayString();
    if (command.first() == QLatin1String("SET") || command.first() == QLatin1String("INCR")
        || command.first() == QLatin1String("RPUSH")) {
        client.command({"DEL", args.at(1)});
    }
    QString theirs = m_server.cli(QStringList {"--no-raw"} + command);
    QVERIFY(theirs.endsWith(QLatin1Char('\n')));
    theirs.chop(1);
    QCOMPARE(ours, theirs);
}

void tst_Redis::repliesFromTheWire_data()
{
    // Bytes a server, or whatever answers in its place, may send: through the RedisReplyReader
    // RedisConnection feeds, then every parser of ours that reads a reply. Rows found by
    // fuzz/fuzz_redisreply say so.
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("replies");
    QTest::addColumn<QList<qint64>>("presenceSince"); ///< the last reply read as a presence set
    QTest::addColumn<QString>("error"); ///< what the reader says after the replies, if it fails
    QTest::addRow("status, error, integer, nil")
        << QByteArray("+OK\r\n-ERR unknown\r\n:42\r\n$-1\r\n*-1\r\n") << 5 << QList<qint64>() << QString();
    QTest::addRow("cluster redirect") << QByteArray("-MOVED 3999 :6381\r\n") << 1 << QList<qint64>() << QString();
    // A presence entry's "s" (since, ms) was cast to qint64 as it came, 1e300 included.
    QTest::addRow("fuzz: presence entry since 1e300") << QByteArray(
        "*6\r\n$4\r\nn1/1\r\n$51\r\n{\"k\":\"n1/1\",\"u\":\"alice\",\"n\":\"n1\",\"s\":1700000000000}\r\n"
        "$13\r\n1700000060000\r\n$4\r\nn2/4\r\n$41\r\n{\"k\":\"n2/4\",\"u\":\"bob\",\"n\":\"n2\",\"s\":1e300}"
        "\r\n$1\r\nx\r\n") << 1 << QList<qint64> {1700000000000, std::numeric_limits<qint64>::max()}
                                                      << QString();
    // hiredis allocates an array's element table from its header: 2.4 GB for this one.
    QTest::addRow("fuzz: array header of 300000000 elements")
        << QByteArray(":1\r\n*300000000\r\n$1\r\n2\r\n") << 1 << QList<qint64>()
        << QStringLiteral(
               "Redis protocol error: an array of 300000000 elements, more than the 16777216 a reply may hold");
    QTest::addRow("nested array over the bound")
        << QByteArray("*2\r\n:1\r\n*16777217\r\n") << 0 << QList<qint64>()
        << QStringLiteral(
               "Redis protocol error: an array of 16777217 elements, more than the 16777216 a reply may hold");
    QByteArray chain;
    for (int level = 0; level < 8; ++level)
        chain += "*16777216\r\n"; // each level allowed alone, 1 GiB together
    QTest::addRow("nested arrays over the bound together")
        << chain << 0 << QList<qint64>()
        << QStringLiteral("Redis protocol error: arrays of 33554432 elements in one reply, more than the 16777216 a "
                          "reply may hold");
    QTest::addRow("bad type byte") << QByteArray("+OK\r\n!5\r\n") << 1 << QList<qint64>()
                                   << QStringLiteral(
                                          "Redis protocol error: Protocol error, got \"!\" as reply type byte");
}

void tst_Redis::repliesFromTheWire()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, replies);
    QFETCH(QList<qint64>, presenceSince);
    QFETCH(QString, error);
    fanout::RedisReplyReader reader;
    QVERIFY(reader.feed(wire));
    QList<RedisReply> read;
    RedisReply reply;
    fanout::RedisReplyReader::Result result;
    while ((result = reader.next(&reply)) == fanout::RedisReplyReader::Result::Reply)
        read.append(reply);
    QCOMPARE(result,
             error.isEmpty() ? fanout::RedisReplyReader::Result::Incomplete : fanout::RedisReplyReader::Result::Error);
    QCOMPARE(reader.errorString(), error);
    QCOMPARE(read.size(), replies);
    QString parseError;
    for (const RedisReply &each : read) {
        QVERIFY(!each.toDisplayString().isEmpty());
        (void)fanout::HistoryScripts::parsePublish(each);
        (void)fanout::HistoryScripts::parseRead(each, true);
        (void)fanout::ClusterSlotMap::Redirect::parse(each, QStringLiteral("10.0.0.1"));
        (void)fanout::ClusterSlotMap::fromSlots(each, QStringLiteral("10.0.0.1"), &parseError);
        (void)fanout::ClusterSlotMap::fromShards(each, QStringLiteral("10.0.0.1"), false, &parseError);
    }
    if (read.isEmpty())
        return;
    QList<qint64> since;
    for (const fanout::PresenceEntry &entry : fanout::PresenceScripts::parseRead(read.last()).entries)
        since.append(entry.sinceMs);
    QCOMPARE(since, presenceSince);
}

void tst_Redis::oversizedArrayFailsTheConnection()
{
    // Something listening where Redis should be answers the handshake with an array header that
    // would make hiredis allocate 2.4 GB: the connection fails with the reason and tries again.
    QTcpServer impostor;
    QVERIFY(impostor.listen(QHostAddress::LocalHost));
    int accepted = 0;
    connect(&impostor, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = impostor.nextPendingConnection()) {
            ++accepted;
            socket->write("*300000000\r\n");
        }
    });
    RedisUrl url;
    url.host = QStringLiteral("127.0.0.1");
    url.port = impostor.serverPort();
    RedisConnection connection(url, QStringLiteral("impostor"), RedisConnection::Mode::Command);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 10000);
    QCOMPARE(errors.first().first().toString(),
             QStringLiteral(
                 "Redis protocol error: an array of 300000000 elements, more than the 16777216 a reply may hold"));
    QVERIFY(accepted >= 2);
    QVERIFY(!connection.isReady());
}

void tst_Redis::handshakeNamesAndSelects()
{
    RedisUrl url = m_server.url();
    url.db = 3;
    RedisConnection connection(url, QStringLiteral("probe-conn"), RedisConnection::Mode::Command);
    QVERIFY(!connection.send({"PING"}));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QVERIFY(ready.wait(5000));
    RedisClient observer(m_server.url());
    const QString list = QString::fromUtf8(observer.command({"CLIENT", "LIST"}).string);
    const auto lines = list.split(QLatin1Char('\n'));
    const auto line = std::find_if(lines.begin(), lines.end(),
                                   [](const QString &l) { return l.contains(QLatin1String("name=probe-conn ")); });
    QVERIFY2(line != lines.end(), qPrintable(list));
    QVERIFY2(line->contains(QLatin1String(" db=3 ")), qPrintable(*line));
}

void tst_Redis::authentication()
{
    RedisServer secured;
    QVERIFY2(secured.start(0, {QStringLiteral("--requirepass"), QStringLiteral("s3cret")}),
             qPrintable(secured.errorString()));
    RedisUrl wrong = secured.url();
    wrong.password = QStringLiteral("nope");
    RedisConnection refused(wrong, QStringLiteral("wrong"), RedisConnection::Mode::Command);
    QSignalSpy errors(&refused, &RedisConnection::errorOccurred);
    refused.open();
    QVERIFY(errors.wait(5000));
    QVERIFY2(errors.first().first().toString().contains(QLatin1String("AUTH")),
             qPrintable(errors.first().first().toString()));
    QVERIFY(!refused.isReady());

    RedisUrl right = secured.url();
    right.password = QStringLiteral("s3cret");
    RedisClient client(right);
    QVERIFY(client.open());
    QCOMPARE(client.command({"PING"}).string, QByteArray("PONG"));
}

void tst_Redis::reconnectBackoffIsCapped()
{
    RedisServer closed;
    QVERIFY(closed.start());
    RedisUrl url = closed.url();
    closed.stop();
    RedisConnection connection(url, QStringLiteral("backoff"), RedisConnection::Mode::Command);
    QList<int> delays;
    connect(
        &connection, &RedisConnection::errorOccurred, this, [&] { delays.append(connection.nextReconnectDelayMs()); },
        Qt::QueuedConnection);
    connection.open();
    QTRY_VERIFY_WITH_TIMEOUT(delays.size() >= 6, 10000);
    QCOMPARE(delays.mid(0, 6), QList<int>({200, 400, 800, 1600, 2000, 2000}));

    QSignalSpy ready(&connection, &RedisConnection::ready);
    QVERIFY(closed.start(url.port));
    QVERIFY(ready.wait(RedisConnection::MaxReconnectDelayMs + 3000));
    QCOMPARE(connection.nextReconnectDelayMs(), RedisConnection::InitialReconnectDelayMs);
}

void tst_Redis::pendingRepliesFailOnLoss()
{
    RedisServer doomed;
    QVERIFY(doomed.start());
    RedisConnection connection(doomed.url(), QStringLiteral("doomed"), RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy lost(&connection, &RedisConnection::lost);
    connection.open();
    QVERIFY(ready.wait(5000));
    int calls = 0;
    RedisReply reply;
    QVERIFY(connection.send({"BLPOP", "never", "0"}, [&](const RedisReply &r) {
        ++calls;
        reply = r;
    }));
    doomed.stop();
    QTRY_COMPARE(calls, 1);
    QVERIFY(reply.isError());
    QCOMPARE(lost.size(), 1);
    QVERIFY(!connection.send({"PING"}));
}

void tst_Redis::brokerNamesItsTwoConnections()
{
    fanout::RedisBroker broker(m_server.url(), QStringLiteral("named-node"));
    QTRY_COMPARE(broker.state(), fanout::Broker::State::Connected);
    RedisClient observer(m_server.url());
    const QStringList names = observer.clientNames();
    QVERIFY2(names.contains(QStringLiteral("fanout:named-node:pub")), qPrintable(names.join(' ')));
    QVERIFY2(names.contains(QStringLiteral("fanout:named-node:sub")), qPrintable(names.join(' ')));
}

void tst_Redis::nodeResubscribesAfterItsSubscriberIsKilled()
{
    auto *broker = new fanout::RedisBroker(m_server.url(), QStringLiteral("victim"));
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("victim")), broker);
    QTRY_COMPARE(broker->state(), fanout::Broker::State::Connected);
    RecordingSession a(QStringLiteral("a"), fanout::SessionProtocol::Room);
    RecordingSession b(QStringLiteral("b"), fanout::SessionProtocol::Room);
    node.attach(&a);
    node.attach(&b);
    node.join(&a, QStringLiteral("one"));
    node.join(&b, QStringLiteral("two"));
    RedisClient observer(m_server.url());
    QTRY_COMPARE(observer.channels("ws:room:*"), QStringList({"ws:room:one", "ws:room:two"}));

    QSignalSpy states(broker, &fanout::Broker::stateChanged);
    const RedisReply killed = observer.command({"CLIENT", "KILL", "TYPE", "pubsub"});
    QCOMPARE(killed.integer, 1);
    QTRY_VERIFY(!states.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(observer.channels("ws:room:*"), QStringList({"ws:room:one", "ws:room:two"}), 3000);
    QCOMPARE(broker->stats().reconnects, 1u);

    QCOMPARE(observer.publish("ws:room:two", R"({"payload":"back"})"), 1);
    QTRY_COMPARE(b.frames, QStringList({"\"back\""}));
    QVERIFY(a.frames.isEmpty());
    node.detach(&a);
    node.detach(&b);
    QTRY_COMPARE(observer.channels("ws:room:*"), QStringList());
}

/// What INFO commandstats counts for a command since the last CONFIG RESETSTAT.
static int commandCalls(RedisClient &client, const QByteArray &command)
{
    const QByteArray info = client.command({"INFO", "commandstats"}).string;
    const QByteArray field = "cmdstat_" + command + ":calls=";
    const qsizetype at = info.indexOf(field);
    return at < 0 ? 0 : info.mid(at + field.size()).split(',').first().toInt();
}

void tst_Redis::probeRebuildsAFrozenSubscribeConnection()
{
    constexpr int interval = 400; // a stall of the test's thread (it relays the pongs) is shorter
    FreezingProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    RedisUrl url = m_server.url();
    url.port = proxy.port();
    RedisConnection connection(url, QStringLiteral("frozen-sub"), RedisConnection::Mode::Subscriber);
    connection.setProbeIntervalMs(interval);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy lost(&connection, &RedisConnection::lost);
    QSignalSpy pushes(&connection, &RedisConnection::pushReceived);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    QVERIFY(ready.wait(5000));
    QVERIFY(connection.send({"SUBSCRIBE", "frozen"}));
    QTRY_COMPARE(pushes.size(), 1);

    // Idle but answering: PINGs go out in subscribe mode, their pongs are not pushes.
    QVERIFY(Quiet::nothingArrivesWithin(lost, 4 * interval));
    QCOMPARE(pushes.size(), 1);
    RedisClient observer(m_server.url());
    QVERIFY(QString::fromUtf8(observer.command({"CLIENT", "LIST"}).string)
                .contains(QRegularExpression(QStringLiteral("name=frozen-sub .* cmd=ping "))));

    // Frozen: the socket stays open and nothing answers. At most one interval passes before the
    // PING, then two without an answer.
    QElapsedTimer sinceFreeze;
    proxy.freeze();
    sinceFreeze.start();
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() == 1, 3 * interval + 1000);
    QVERIFY2(sinceFreeze.elapsed() >= 2 * interval * 9 / 10, qPrintable(QString::number(sinceFreeze.elapsed())));
    QVERIFY2(errors.last().first().toString().contains(QLatin1String("no answer to PING")),
             qPrintable(errors.last().first().toString()));
    QTRY_COMPARE(ready.size(), 2);
    QCOMPARE(proxy.accepted(), 2);
    proxy.thaw();
}

void tst_Redis::brokerResubscribesAfterAFrozenConnection()
{
    FreezingProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    RedisUrl url = m_server.url();
    url.port = proxy.port();
    auto *broker = new fanout::RedisBroker(url, QStringLiteral("frozen-node"));
    broker->setProbeIntervalMs(400); // a stall of the test's thread (it relays the pongs) is shorter
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("frozen-node")), broker);
    QTRY_COMPARE(broker->state(), fanout::Broker::State::Connected);
    RecordingSession member(QStringLiteral("m"), fanout::SessionProtocol::Room);
    node.attach(&member);
    node.join(&member, QStringLiteral("cold"));
    RedisClient observer(m_server.url());
    QTRY_COMPARE(observer.numsub("ws:room:cold"), 1);

    QSignalSpy states(broker, &fanout::Broker::stateChanged);
    proxy.freeze();
    // Both connections rebuilt, each through a fresh proxy connection, while the old ones hang.
    QTRY_VERIFY_WITH_TIMEOUT(proxy.accepted() == 4 && broker->state() == fanout::Broker::State::Connected, 5000);
    QCOMPARE(states.first().first().value<fanout::Broker::State>(), fanout::Broker::State::Connecting);
    proxy.thaw();
    QTRY_COMPARE(observer.numsub("ws:room:cold"), 1);
    QCOMPARE(observer.publish("ws:room:cold", R"({"payload":"thawed"})"), 1);
    QTRY_COMPARE(member.frames, QStringList({"\"thawed\""}));
    node.detach(&member);
}

void tst_Redis::noProbeUnderSteadyTraffic()
{
    constexpr int interval = 600; // a stall of the test's thread this long would look like silence
    constexpr int trafficMs = 20;
    RedisServer server; // its own command statistics
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    fanout::RedisBroker broker(server.url(), QStringLiteral("busy-node"));
    broker.setProbeIntervalMs(interval);
    QTRY_COMPARE(broker.state(), fanout::Broker::State::Connected);
    int received = 0;
    connect(&broker, &fanout::Broker::messageReceived, this, [&received] { ++received; });
    broker.subscribe("busy");
    QTimer traffic;
    connect(&traffic, &QTimer::timeout, &broker, [&broker] { broker.publish("busy", "tick"); });
    traffic.start(trafficMs);
    QTRY_VERIFY(received >= 5);

    RedisClient observer(server.url());
    QCOMPARE(observer.command({"CONFIG", "RESETSTAT"}).string, QByteArray("OK"));
    const int before = received;
    QTRY_VERIFY_WITH_TIMEOUT(received >= before + 5 * interval / trafficMs, 10000);
    QVERIFY(commandCalls(observer, "publish") > 0);
    QCOMPARE(commandCalls(observer, "ping"), 0);

    // Idle, both connections probe.
    traffic.stop();
    QTRY_VERIFY_WITH_TIMEOUT(commandCalls(observer, "ping") >= 2, 3 * interval + 1000);
}

QTEST_GUILESS_MAIN(tst_Redis)
#include "tst_redis.moc"
