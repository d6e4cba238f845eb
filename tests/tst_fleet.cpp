#include "nodeprocess.h"
#include "quiet.h"
#include "redisclient.h"
#include "redisserver.h"
#include "testclient.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

/// fanout-node as separate processes on a real redis-server: what a deployment runs.
class tst_Fleet : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void historyAcrossProcesses();
    void crossNodeDelivery_data();
    void crossNodeDelivery();
    void ioThreadsShareTheNode();
    void redisCliVerification();
    void singleNodeWithoutRedis();
    void sigtermStopsCleanly_data();
    void sigtermStopsCleanly();
    void environmentFallbacks();
    void acceptsAgainAfterRunningOutOfDescriptors();
    void commandLine_data();
    void commandLine();
    void benchSmoke();
    void benchReconnectsThroughANodeKill_data();
    void benchReconnectsThroughANodeKill();

private:
    bool startFleet(int count, const QStringList &extra = {});
    RedisServer m_redis;
    std::vector<std::unique_ptr<NodeProcess>> m_nodes;
};

void tst_Fleet::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

bool tst_Fleet::startFleet(int count, const QStringList &extra)
{
    m_nodes.clear();
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<NodeProcess>();
        const QStringList arguments
            = QStringList {"--host",  "127.0.0.1",         "--port",    "0",
                           "--redis", m_redis.urlString(), "--node-id", QStringLiteral("proc-%1").arg(i)}
            + extra;
        if (!node->start(arguments)) {
            qWarning("%s", qPrintable(node->errorString()));
            return false;
        }
        m_nodes.push_back(std::move(node));
    }
    return true;
}

void tst_Fleet::historyAcrossProcesses()
{
    // Two fanout-node processes with a history: a client that left node 0 resumes on node 1
    // from the offset and epoch it had, and gets exactly what it missed.
    QVERIFY(startFleet(2, {"--history-size", "1000"}));
    QUrl first = m_nodes.at(0)->url();
    first.setPath(QStringLiteral("/rooms"));
    QUrl second = m_nodes.at(1)->url();
    second.setPath(QStringLiteral("/rooms"));
    TestClient publisher;
    QVERIFY(publisher.open(first));
    publisher.send(QStringLiteral(R"({"type":"join","room":"durable"})"));
    TestClient reader;
    QVERIFY(reader.open(first));
    reader.send(QStringLiteral(R"({"type":"join","room":"durable"})"));
    QTRY_COMPARE(reader.ofType(QStringLiteral("joined")).size(), 1);
    QTRY_COMPARE(publisher.ofType(QStringLiteral("joined")).size(), 1);
    publisher.send(QStringLiteral(R"({"type":"message","room":"durable","content":"before"})"));
    QTRY_COMPARE(reader.ofType(QStringLiteral("message")).size(), 1);
    const QJsonObject last = reader.ofType(QStringLiteral("message")).last();
    QCOMPARE(last.value(QLatin1String("offset")).toInteger(), 1);
    reader.close();
    for (int i = 0; i < 3; ++i)
        publisher.send(QStringLiteral(R"({"type":"message","room":"durable","content":%1})").arg(i));
    QTRY_COMPARE(publisher.ofType(QStringLiteral("message")).size(), 4);

    TestClient back;
    QVERIFY(back.open(second));
    back.send(QStringLiteral(R"({"type":"join","room":"durable","since":{"offset":1,"epoch":"%1"}})")
                  .arg(last.value(QLatin1String("epoch")).toString()));
    QTRY_COMPARE(back.ofType(QStringLiteral("message")).size(), 3);
    QCOMPARE(back.ofType(QStringLiteral("joined")).first().value(QLatin1String("recovered")).toBool(), true);
    QList<qint64> offsets;
    for (const QJsonObject &message : back.ofType(QStringLiteral("message")))
        offsets.append(message.value(QLatin1String("offset")).toInteger());
    QCOMPARE(offsets, QList<qint64>({2, 3, 4}));
}

void tst_Fleet::crossNodeDelivery_data()
{
    QTest::addColumn<bool>("typedMode");
    QTest::addRow("room mode") << false;
    QTest::addRow("typed mode") << true;
}

void tst_Fleet::crossNodeDelivery()
{
    QFETCH(bool, typedMode);
    QVERIFY(startFleet(3));
    RedisClient redis(m_redis.url());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 6; ++i) {
        auto client = std::make_unique<TestClient>();
        QUrl url = m_nodes.at(size_t(i % 3))->url();
        url.setPath(typedMode ? QStringLiteral("/rooms") : QStringLiteral("/"));
        if (!typedMode)
            url.setQuery(QStringLiteral("room=fleet"));
        QVERIFY(client->open(url));
        if (typedMode) {
            client->send(QStringLiteral("{\"type\":\"join\",\"room\":\"fleet\"}"));
            QTRY_COMPARE(client->ofType(QStringLiteral("joined")).size(), 1);
        }
        clients.push_back(std::move(client));
    }
    // Each node has two local members, both registered: a node joins a socket to its room before
    // its handshake reply leaves, so an open client is a member.
    QTRY_COMPARE(redis.numsub("ws:room:fleet"), 3);

    for (int i = 0; i < 6; ++i) {
        const QString payload = QStringLiteral("{\"i\":%1}").arg(i);
        clients.at(size_t(i))->send(
            typedMode ? QStringLiteral("{\"type\":\"message\",\"room\":\"fleet\",\"content\":%1}").arg(payload)
                      : payload);
    }
    const auto received = [typedMode](const TestClient &client) {
        return typedMode ? client.ofType(QStringLiteral("message")).size() : client.messages().size();
    };
    for (auto &client : clients)
        QTRY_COMPARE(received(*client), 6);
    const auto sixEach = [&] {
        return std::all_of(clients.begin(), clients.end(), [&](const auto &client) { return received(*client) == 6; });
    };
    QVERIFY2(Quiet::holdsFor(300, sixEach), "a message arrived twice");
    for (auto &client : clients) {
        QSet<int> seen;
        if (typedMode) {
            const auto messages = client->ofType(QStringLiteral("message"));
            QCOMPARE(messages.size(), 6);
            for (const QJsonObject &message : messages)
                seen.insert(message.value("content").toObject().value("i").toInt());
        } else {
            QCOMPARE(client->messages().size(), 6);
            for (const QString &text : client->messages())
                seen.insert(QJsonDocument::fromJson(text.toUtf8()).object().value("i").toInt());
        }
        QCOMPARE(seen, QSet<int>({0, 1, 2, 3, 4, 5}));
    }
}

void tst_Fleet::ioThreadsShareTheNode()
{
    // Node 0 serves its clients on three I/O threads (in turn), node 1 on one: a message reaches
    // every member once and in each sender's order, and Redis sees one subscription per node.
    QVERIFY(startFleet(1, {"--threads", "3"}));
    auto single = std::make_unique<NodeProcess>();
    QVERIFY(single->start({"--host", "127.0.0.1", "--port", "0", "--redis", m_redis.urlString(), "--node-id",
                           "proc-single", "--threads", "1"}));
    RedisClient redis(m_redis.url());
    std::vector<std::unique_ptr<TestClient>> clients;
    QSet<QString> sessionIds;
    for (int i = 0; i < 10; ++i) {
        auto client = std::make_unique<TestClient>();
        QUrl url = (i < 9 ? m_nodes.front().get() : single.get())->url();
        url.setPath(QStringLiteral("/rooms"));
        QVERIFY(client->open(url));
        QTRY_COMPARE(client->ofType(QStringLiteral("welcome")).size(), 1);
        sessionIds.insert(client->ofType(QStringLiteral("welcome")).first().value("session").toString());
        client->send(QStringLiteral("{\"type\":\"join\",\"room\":\"threads\"}"));
        QTRY_COMPARE(client->ofType(QStringLiteral("joined")).size(), 1);
        clients.push_back(std::move(client));
    }
    QCOMPARE(sessionIds.size(), 10);
    QTRY_COMPARE(redis.numsub("ws:room:threads"), 2);
    QTRY_COMPARE(redis.command({"HGET", "fanout:node:proc-0", "sessions"}).string, QByteArray("9"));

    constexpr int PerSender = 5;
    for (int n = 0; n < PerSender; ++n) {
        for (int i = 0; i < 10; ++i) {
            clients.at(size_t(i))->send(
                QStringLiteral("{\"type\":\"message\",\"room\":\"threads\",\"content\":{\"sender\":%1,\"n\":%2}}")
                    .arg(i)
                    .arg(n));
        }
    }
    const int expected = 10 * PerSender;
    for (auto &client : clients)
        QTRY_COMPARE(client->ofType(QStringLiteral("message")).size(), expected);
    QVERIFY2(Quiet::holdsFor(300,
                             [&] {
                                 return std::all_of(clients.begin(), clients.end(), [](const auto &client) {
                                     return client->ofType(QStringLiteral("message")).size() == expected;
                                 });
                             }),
             "a message arrived twice");
    for (auto &client : clients) {
        QHash<int, int> next;
        for (const QJsonObject &message : client->ofType(QStringLiteral("message"))) {
            const QJsonObject content = message.value("content").toObject();
            const int sender = content.value("sender").toInt();
            QCOMPARE(content.value("n").toInt(), next[sender]++);
        }
    }
}

void tst_Fleet::redisCliVerification()
{
    QVERIFY(startFleet(3));
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 2; ++i) {
        auto client = std::make_unique<TestClient>();
        QUrl url = m_nodes.at(size_t(i))->url();
        url.setQuery(QStringLiteral("room=lobby"));
        QVERIFY(client->open(url));
        clients.push_back(std::move(client));
    }
    TestClient other;
    QUrl otherUrl = m_nodes.at(2)->url();
    otherUrl.setQuery(QStringLiteral("room=42"));
    QVERIFY(other.open(otherUrl));

    QTRY_COMPARE(m_redis.cli({"PUBSUB", "NUMSUB", "ws:room:lobby"}).split('\n', Qt::SkipEmptyParts),
                 QStringList({"ws:room:lobby", "2"}));
    QTRY_COMPARE(m_redis.cli({"PUBSUB", "CHANNELS", "ws:room:*"}).split('\n', Qt::SkipEmptyParts).size(), 2);
    QStringList channels = m_redis.cli({"PUBSUB", "CHANNELS", "ws:room:*"}).split('\n', Qt::SkipEmptyParts);
    channels.sort();
    QCOMPARE(channels, QStringList({"ws:room:42", "ws:room:lobby"}));
    QCOMPARE(m_redis.cli({"PUBLISH", "ws:room:lobby", "{\"payload\":{\"type\":\"ping\"}}"}).trimmed(),
             QStringLiteral("2"));
    for (auto &client : clients)
        QTRY_COMPARE(client->messages(), QStringList({"{\"type\":\"ping\"}"}));
    QVERIFY(Quiet::holdsFor(100, [&other] { return other.messages().isEmpty(); }));

    const QString clientList = m_redis.cli({"CLIENT", "LIST"});
    for (int i = 0; i < 3; ++i) {
        QVERIFY(clientList.contains(QStringLiteral("name=fanout:proc-%1:pub").arg(i)));
        QVERIFY(clientList.contains(QStringLiteral("name=fanout:proc-%1:sub").arg(i)));
    }
}

void tst_Fleet::singleNodeWithoutRedis()
{
    NodeProcess node;
    QVERIFY2(node.start({"--host", "127.0.0.1", "--port", "0"}), qPrintable(node.errorString()));
    TestClient a, b;
    QVERIFY(a.open(node.url()));
    QVERIFY(b.open(node.url())); // a member once open: the node joins it before its handshake reply
    a.send(QStringLiteral("[\"solo\"]"));
    QTRY_COMPARE(a.messages(), QStringList({"[\"solo\"]"}));
    QTRY_COMPARE(b.messages(), QStringList({"[\"solo\"]"}));
}

void tst_Fleet::sigtermStopsCleanly_data()
{
    QTest::addColumn<bool>("withRedis");
    QTest::addRow("in-process broker") << false;
    QTest::addRow("redis broker") << true;
}

void tst_Fleet::sigtermStopsCleanly()
{
    QFETCH(bool, withRedis);
    NodeProcess node;
    QStringList arguments {"--host", "127.0.0.1", "--port", "0"};
    if (withRedis)
        arguments += {"--redis", m_redis.urlString()};
    QVERIFY2(node.start(arguments), qPrintable(node.errorString()));
    TestClient client;
    QVERIFY(client.open(node.url()));
    QCOMPARE(node.terminate(), 0);
    QTRY_VERIFY(!client.isConnected());
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
}

void tst_Fleet::environmentFallbacks()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("PORT", "0");
    environment.insert("REDIS_URL", m_redis.urlString());
    environment.insert("NODE_ID", "from-env");
    environment.insert("CHANNEL_PREFIX", "app:test:room:");
    NodeProcess node;
    QVERIFY2(node.start({"--host", "127.0.0.1"}, environment), qPrintable(node.errorString()));
    TestClient client;
    QUrl url = node.url();
    url.setQuery(QStringLiteral("room=r"));
    QVERIFY(client.open(url));
    RedisClient redis(m_redis.url());
    QTRY_COMPARE(redis.channels("app:test:room:*"), QStringList({"app:test:room:r"}));
    QVERIFY(redis.clientNames().contains(QStringLiteral("fanout:from-env:sub")));
}

void tst_Fleet::commandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output");
    QTest::addRow("help") << QStringList {"--help"} << 0 << "--redis";
    QTest::addRow("version") << QStringList {"--version"} << 0 << "fanout-node 0.1.0";
    QTest::addRow("bad port") << QStringList {"--port", "http"} << 2 << "--port/PORT";
    QTest::addRow("port too large") << QStringList {"--port", "70000"} << 2 << "--port/PORT";
    QTest::addRow("bad redis url") << QStringList {"--redis", "mysql://x"} << 2 << "--redis/REDIS_URL";
    QTest::addRow("bad host") << QStringList {"--host", "not-an-ip"} << 2 << "--host";
    QTest::addRow("node id with space") << QStringList {"--node-id", "a b"} << 2 << "--node-id";
    QTest::addRow("node id not ascii") << QStringList {"--node-id", "n\u0153ud"} << 2 << "printable ASCII";
    QTest::addRow("unknown option") << QStringList {"--frobnicate"} << 2 << "frobnicate";
    QTest::addRow("negative history") << QStringList {"--history-size", "-1"} << 2 << "--history-size/HISTORY_SIZE";
    QTest::addRow("history ttl zero") << QStringList {"--history-ttl", "0"} << 2 << "--history-ttl/HISTORY_TTL";
    QTest::addRow("no threads") << QStringList {"--threads", "0"} << 2 << "--threads/THREADS";
    QTest::addRow("too many threads") << QStringList {"--threads", "257"} << 2 << "--threads/THREADS";
    QTest::addRow("metrics port too large")
        << QStringList {"--metrics-port", "65536"} << 2 << "--metrics-port/METRICS_PORT";
    QTest::addRow("negative publish rate")
        << QStringList {"--max-publish-rate", "-1"} << 2 << "--max-publish-rate/MAX_PUBLISH_RATE";
    QTest::addRow("origin with a path") << QStringList {"--allowed-origins", "https://a.example/x"} << 2
                                        << "--allowed-origins/ALLOWED_ORIGINS";
    QTest::addRow("origin not a web url")
        << QStringList {"--allowed-origins", "ftp://a.example"} << 2 << "is not an origin";
    QTest::addRow("metrics port in use") << QStringList {"--host", "127.0.0.1",      "--port",
                                                         "0",      "--metrics-port", "%REDIS_PORT%"}
                                         << 1 << "cannot serve metrics";
    QTest::addRow("no shards") << QStringList {"--shard-count", "0"} << 2 << "--shard-count/SHARD_COUNT";
    QTest::addRow("shards with history") << QStringList {"--shard-count", "4", "--history-size", "10"} << 2
                                         << "cannot be combined";
    QTest::addRow("presence ttl too short")
        << QStringList {"--presence-ttl", "1"} << 2 << "--presence-ttl/PRESENCE_TTL";
    QTest::addRow("two token secrets") << QStringList {"--token-secret", "a", "--token-secret-file", "/etc/hostname"}
                                       << 2 << "give one of them";
    QTest::addRow("missing secret file") << QStringList {"--token-secret-file", "/nonexistent/secret"} << 2
                                         << "cannot read";
    QTest::addRow("overlapping prefixes") << QStringList {"--user-prefix", "ws:room:u:"} << 2 << "overlap";
    QTest::addRow("presence namespace with a hash tag")
        << QStringList {"--presence-namespace", "a{b}"} << 2 << "may not hold { or }";
    QTest::addRow("presence namespace among the rooms")
        << QStringList {"--presence-namespace", "ws:room:p"} << 2 << "would make the presence channel";
    QTest::addRow("port in use") << QStringList {"--host", "127.0.0.1", "--port", "%REDIS_PORT%"} << 1
                                 << "cannot listen";
}

void tst_Fleet::commandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, output);
    arguments.replaceInStrings(QStringLiteral("%REDIS_PORT%"), QString::number(m_redis.port()));
    QProcess process;
    process.start(NodeProcess::program(), arguments);
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitCode(), exitCode);
    const QString printed = QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    QVERIFY2(printed.contains(output), qPrintable(printed));
}

void tst_Fleet::benchSmoke()
{
    QVERIFY(startFleet(2));
    const QString urls = m_nodes[0]->url().toString() + QLatin1Char(',') + m_nodes[1]->url().toString();
    const QString pids
        = QStringLiteral("%1,%2").arg(m_nodes[0]->process().processId()).arg(m_nodes[1]->process().processId());
    QProcess bench;
    bench.start(QStringLiteral(FANOUT_BENCH_PATH),
                {"--urls", urls, "--clients", "40", "--rooms", "4", "--senders", "8", "--rate", "400", "--seconds", "1",
                 "--warmup", "2", "--pids", pids, "--label", "smoke"});
    QVERIFY(bench.waitForFinished(30000));
    QCOMPARE(bench.exitCode(), 0);
    const QJsonObject result = QJsonDocument::fromJson(bench.readAllStandardOutput()).object();
    QCOMPARE(result.value("label").toString(), QStringLiteral("smoke"));
    QVERIFY(result.value("sent").toDouble() > 0);
    QCOMPARE(result.value("expected").toDouble(), result.value("sent").toDouble() * 10); // 10 clients per room
    QCOMPARE(result.value("lost").toDouble(), 0.0);
    QCOMPARE(result.value("duplicates").toDouble(), 0.0);
    QVERIFY(result.value("server_cpu_seconds").toDouble() >= 0);
    QVERIFY(result.value("latency_ms").toObject().value("p99").toDouble() > 0);

    QProcess bad;
    bad.start(QStringLiteral(FANOUT_BENCH_PATH), {"--urls", "http://x"});
    QVERIFY(bad.waitForFinished(5000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("--urls"));
}

void tst_Fleet::benchReconnectsThroughANodeKill_data()
{
    QTest::addColumn<bool>("history");
    QTest::newRow("pub/sub") << false;
    QTest::newRow("history") << true;
}

void tst_Fleet::benchReconnectsThroughANodeKill()
{
    // fanout-bench's typed clients with --reconnect (scripts/chaos.sh's load): one of three
    // nodes is SIGKILLed mid-run and its clients connect again to the others. With history they
    // resume with since and nothing is lost; with pub/sub what their members missed while
    // offline is lost, and the ledger says so, delivery by delivery.
    QFETCH(bool, history);
    const QString room = QStringLiteral("resume%1-").arg(history);
    QVERIFY(startFleet(
        3, history ? QStringList {"--history-size", "10000", "--threads", "1"} : QStringList {"--threads", "1"}));
    QStringList urls;
    for (const std::unique_ptr<NodeProcess> &node : m_nodes)
        urls << node->url().toString();
    QTemporaryDir dir;
    const QString lossLog = dir.filePath(QStringLiteral("losses"));
    QProcess bench;
    bench.start(QStringLiteral(FANOUT_BENCH_PATH), {"--urls",      urls.join(QLatin1Char(',')),
                                                    "--protocol",  "typed",
                                                    "--reconnect", "--loss-log",
                                                    lossLog,       "--room-prefix",
                                                    room,          "--clients",
                                                    "30",          "--rooms",
                                                    "3",           "--senders",
                                                    "6",           "--rate",
                                                    "300",         "--seconds",
                                                    "4",           "--warmup",
                                                    "0.5"});
    // Kill inside the measured window: a watcher in the first room (100 messages/s, the first
    // 0.5 s a warm-up) has seen a second of it.
    TestClient watcher;
    QUrl watch = m_nodes[0]->url();
    watch.setQuery(QStringLiteral("room=") + room + QLatin1Char('0'));
    QVERIFY(watcher.open(watch));
    QTRY_VERIFY_WITH_TIMEOUT(watcher.messages().size() >= 150, 15000);
    m_nodes[2]->process().kill();
    QVERIFY(bench.waitForFinished(30000));
    QCOMPARE(bench.exitCode(), 0);
    const QJsonObject result = QJsonDocument::fromJson(bench.readAllStandardOutput()).object();
    QVERIFY(result.value("reconnects").toInt() >= 10); // node 2's ten clients
    QCOMPARE(result.value("duplicates").toDouble(), 0.0);
    const QJsonObject why = result.value("lost_by_reason").toObject();
    const double lost = result.value("lost").toDouble();
    QCOMPARE(why.value("receiver_offline").toDouble() + why.value("dropped").toDouble(), lost);
    QFile log(lossLog);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QCOMPARE(double(log.readAll().count('\n')), lost);
    if (history)
        QCOMPARE(lost, 0.0);
    else
        QVERIFY(why.value("receiver_offline").toDouble() > 0);
}

void tst_Fleet::acceptsAgainAfterRunningOutOfDescriptors()
{
    // With 64 descriptors the node runs out: it keeps serving its clients, waits, and accepts
    // the clients in its backlog once descriptors are free again.
    NodeProcess node;
    node.setLauncher({QStringLiteral("prlimit"), QStringLiteral("--nofile=64:64")});
    node.keepStderr();
    QVERIFY2(node.start({"--host", "127.0.0.1", "--port", "0"}), qPrintable(node.errorString()));
    QUrl url = node.url();
    url.setQuery(QStringLiteral("room=full"));
    TestClient member;
    QVERIFY(member.open(url));
    std::vector<std::unique_ptr<QTcpSocket>> hogs;
    for (int i = 0; i < 80; ++i) {
        hogs.push_back(std::make_unique<QTcpSocket>());
        hogs.back()->connectToHost(QHostAddress::LocalHost, url.port());
        QVERIFY(hogs.back()->waitForConnected(2000)); // accepted by the kernel, into the backlog if need be
    }
    QByteArray stderrText;
    QTRY_VERIFY((stderrText += node.process().readAllStandardError()).contains("out of file descriptors"));
    member.send(QStringLiteral("\"still served\""));
    QTRY_COMPARE(member.messages(), QStringList {"\"still served\""});

    hogs.clear();
    TestClient late;
    QVERIFY(late.open(url, 10000));
    late.send(QStringLiteral("\"late\""));
    QTRY_COMPARE(member.messages(), QStringList({"\"still served\"", "\"late\""}));
    QCOMPARE(node.process().state(), QProcess::Running);
}

QTEST_GUILESS_MAIN(tst_Fleet)
#include "tst_fleet.moc"
