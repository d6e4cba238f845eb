#include "node/noderecord.h"
#include "nodeprocess.h"
#include "redisclient.h"
#include "redisserver.h"
#include "testclient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

#include <csignal>

/// What an operator runs fanout-node with: the operations port (/metrics, /healthz, /readyz),
/// the SIGTERM drain, the origin and publish-rate guards. Real processes on a real redis-server.
class tst_Operations : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void metricsNameEveryDocumentedFamily();
    void readinessFollowsTheBroker();
    void drainClosesClientsAndWithdraws();
    void origins_data();
    void origins();
    void publishRateLimit();

private:
    struct Http {
        int status = 0;
        QByteArray contentType;
        QByteArray body;
    };
    Http get(const QUrl &base, const QString &path);
    std::unique_ptr<NodeProcess> startNode(const QStringList &extra);
    /// The value of one sample line (`name` with its labels) in a scrape; -1 when absent.
    static double sample(const QByteArray &scrape, const QByteArray &series);

    RedisServer m_redis;
    QNetworkAccessManager m_http;
    std::unique_ptr<NodeProcess> m_originsNode; ///< one node for every row of origins()
};

void tst_Operations::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

tst_Operations::Http tst_Operations::get(const QUrl &base, const QString &path)
{
    QUrl url = base;
    url.setPath(path);
    std::unique_ptr<QNetworkReply> reply(m_http.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(5000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(), reply->readAll()};
}

std::unique_ptr<NodeProcess> tst_Operations::startNode(const QStringList &extra)
{
    auto node = std::make_unique<NodeProcess>();
    if (!node->start(
            QStringList {"--host", "127.0.0.1", "--port", "0", "--redis", m_redis.urlString(), "--metrics-port", "0"}
            + extra)) {
        qWarning("%s", qPrintable(node->errorString()));
        return nullptr;
    }
    return node;
}

double tst_Operations::sample(const QByteArray &scrape, const QByteArray &series)
{
    for (const QByteArray &line : scrape.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

void tst_Operations::metricsNameEveryDocumentedFamily()
{
    // One I/O thread: with more, each thread that holds the room records its own arrival.
    const auto node = startNode({"--node-id", "ops-metrics", "--threads", "1"});
    QVERIFY(node);
    TestClient first;
    TestClient second;
    TestClient typed;
    QUrl roomUrl = node->url();
    roomUrl.setQuery(QStringLiteral("room=ops"));
    QVERIFY(first.open(roomUrl));
    QVERIFY(second.open(roomUrl));
    QUrl typedUrl = node->url();
    typedUrl.setPath(QStringLiteral("/rooms"));
    QVERIFY(typed.open(typedUrl));
    for (int i = 0; i < 3; ++i)
        first.send(QStringLiteral("{\"i\":%1}").arg(i));
    first.send(QStringLiteral("{oops"));
    QTRY_COMPARE(second.messages().size(), 3);

    const Http scrape = get(node->metricsUrl(), QStringLiteral("/metrics"));
    QCOMPARE(scrape.status, 200);
    QVERIFY2(scrape.contentType.startsWith("text/plain; version=0.0.4"), scrape.contentType.constData());
    // Every family docs/operations.md lists, with its type.
    const QList<std::pair<QByteArray, QByteArray>> families {
        {"fanout_connections", "gauge"},
        {"fanout_rooms", "gauge"},
        {"fanout_subscribed_channels", "gauge"},
        {"fanout_messages_published_total", "counter"},
        {"fanout_messages_received_total", "counter"},
        {"fanout_messages_delivered_total", "counter"},
        {"fanout_messages_wasted_total", "counter"},
        {"fanout_messages_malformed_total", "counter"},
        {"fanout_broker_connected", "gauge"},
        {"fanout_broker_reconnects_total", "counter"},
        {"fanout_offline_queue_depth", "gauge"},
        {"fanout_offline_queue_dropped_total", "counter"},
        {"fanout_slow_client_disconnects_total", "counter"},
        {"fanout_frames_rejected_total", "counter"},
        {"fanout_protocol_closes_total", "counter"},
        {"fanout_upgrades_refused_total", "counter"},
        {"fanout_rate_limit_disconnects_total", "counter"},
        {"fanout_publish_round_trip_seconds", "histogram"},
        {"fanout_pubsub_lag_seconds", "histogram"},
    };
    for (const auto &[name, type] : families)
        QVERIFY2(scrape.body.contains("\n# TYPE " + name + ' ' + type + '\n'), name.constData());
    QCOMPARE(sample(scrape.body, R"(fanout_connections{protocol="room"})"), 2.0);
    QCOMPARE(sample(scrape.body, R"(fanout_connections{protocol="typed"})"), 1.0);
    QCOMPARE(sample(scrape.body, "fanout_rooms"), 1.0);
    QCOMPARE(sample(scrape.body, "fanout_messages_published_total"), 3.0);
    QCOMPARE(sample(scrape.body, "fanout_messages_received_total"), 3.0);
    QCOMPARE(sample(scrape.body, "fanout_messages_delivered_total"), 6.0);
    QCOMPARE(sample(scrape.body, R"(fanout_frames_rejected_total{code="invalid_json"})"), 1.0);
    QCOMPARE(sample(scrape.body, "fanout_broker_connected"), 1.0);
    QCOMPARE(sample(scrape.body, "fanout_publish_round_trip_seconds_count"), 3.0);
    QCOMPARE(sample(scrape.body, R"(fanout_publish_round_trip_seconds_bucket{le="+Inf"})"), 3.0);
    QCOMPARE(sample(scrape.body, "fanout_pubsub_lag_seconds_count"), 3.0);
    QVERIFY(!scrape.body.contains("room=") && !scrape.body.contains("\"ops\"")); // no label per room

    QCOMPARE(get(node->metricsUrl(), QStringLiteral("/healthz")).status, 200);
    QCOMPARE(get(node->metricsUrl(), QStringLiteral("/nothing")).status, 404);

    // The fleet view without Prometheus: the node record's rolling summary, written at the next
    // refresh (NodeRecord::RefreshMs) with the rates since the record before.
    RedisClient redis(m_redis.url());
    const auto field = [&redis](const QByteArray &name) {
        return redis.command({"HGET", "fanout:node:ops-metrics", name}).string;
    };
    QTRY_VERIFY_WITH_TIMEOUT(field("delivered_per_s").toDouble() > 0, 3 * fanout::NodeRecord::RefreshMs);
    QVERIFY(field("published_per_s").toDouble() > 0);
    QVERIFY(field("received_per_s").toDouble() > 0);
    QVERIFY(field("lag_p99_ms").toDouble() >= 0);
}

void tst_Operations::readinessFollowsTheBroker()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    NodeProcess node;
    QVERIFY2(node.start({"--host", "127.0.0.1", "--port", "0", "--redis", redis.urlString(), "--metrics-port", "0",
                         "--redis-probe-interval", "200"}),
             qPrintable(node.errorString()));
    TestClient client;
    QUrl url = node.url();
    url.setQuery(QStringLiteral("room=ready"));
    QVERIFY(client.open(url));
    QTRY_COMPARE(get(node.metricsUrl(), QStringLiteral("/readyz")).status, 200);
    QCOMPARE(get(node.metricsUrl(), QStringLiteral("/readyz")).body, QByteArray("ready\n"));

    redis.stop();
    QTRY_COMPARE_WITH_TIMEOUT(get(node.metricsUrl(), QStringLiteral("/readyz")).status, 503, 10000);
    QCOMPARE(get(node.metricsUrl(), QStringLiteral("/readyz")).body, QByteArray("broker not connected\n"));
    QCOMPARE(get(node.metricsUrl(), QStringLiteral("/healthz")).status, 200); // it still serves

    QVERIFY(redis.start(redis.port()));
    QTRY_COMPARE_WITH_TIMEOUT(get(node.metricsUrl(), QStringLiteral("/readyz")).status, 200, 10000);
    RedisClient admin(redis.url());
    QCOMPARE(admin.numsub("ws:room:ready"), 1); // ready means the room is subscribed again
}

void tst_Operations::drainClosesClientsAndWithdraws()
{
    const auto node = startNode({"--node-id", "ops-drain", "--drain-seconds", "3", "--threads", "3"});
    QVERIFY(node);
    TestClient polite;
    QUrl url = node->url();
    url.setQuery(QStringLiteral("room=drain"));
    QVERIFY(polite.open(url));
    // A client that never answers the close frame holds the drain until its close timeout.
    QTcpSocket mute;
    mute.connectToHost(QStringLiteral("127.0.0.1"), quint16(url.port()));
    QVERIFY(mute.waitForConnected(5000));
    mute.write("GET /?room=drain HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QTRY_VERIFY(mute.bytesAvailable() > 0);
    RedisClient redis(m_redis.url());
    QTRY_COMPARE(redis.numsub("ws:room:drain"), 1);
    QTRY_COMPARE(redis.command({"EXISTS", "fanout:node:ops-drain"}).integer, 1);

    ::kill(pid_t(node->process().processId()), SIGTERM);
    QTRY_COMPARE(get(node->metricsUrl(), QStringLiteral("/readyz")).body, QByteArray("draining\n"));
    QTRY_VERIFY(!polite.isConnected());
    QCOMPARE(polite.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QVERIFY(node->process().waitForFinished(5000));
    QCOMPARE(node->process().exitCode(), 0);
    QCOMPARE(redis.command({"EXISTS", "fanout:node:ops-drain"}).integer, 0);
    QCOMPARE(redis.numsub("ws:room:drain"), 0);
}

void tst_Operations::origins_data()
{
    QTest::addColumn<QByteArray>("originHeader");
    QTest::addColumn<int>("status");
    QTest::addRow("listed") << QByteArray("Origin: https://app.example.com\r\n") << 101;
    QTest::addRow("listed, other case") << QByteArray("Origin: HTTPS://App.Example.com\r\n") << 101;
    QTest::addRow("second of the list") << QByteArray("Origin: http://localhost:3000\r\n") << 101;
    QTest::addRow("not listed") << QByteArray("Origin: https://evil.example\r\n") << 403;
    QTest::addRow("other port") << QByteArray("Origin: http://localhost:3001\r\n") << 403;
    QTest::addRow("null") << QByteArray("Origin: null\r\n") << 403;
    QTest::addRow("no Origin: not a browser") << QByteArray() << 101;
}

void tst_Operations::origins()
{
    QFETCH(QByteArray, originHeader);
    QFETCH(int, status);
    if (!m_originsNode)
        m_originsNode = startNode({"--allowed-origins", "https://app.example.com, http://localhost:3000"});
    NodeProcess *node = m_originsNode.get();
    QVERIFY(node);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(node->url().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /?room=o HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 + originHeader + "\r\n");
    QTRY_VERIFY(socket.canReadLine());
    QCOMPARE(socket.readLine().split(' ').value(1).toInt(), status);
    if (status == 403) {
        const Http scrape = get(node->metricsUrl(), QStringLiteral("/metrics"));
        QVERIFY(sample(scrape.body, R"(fanout_upgrades_refused_total{status="403"})") >= 1);
    }
}

void tst_Operations::publishRateLimit()
{
    const auto node = startNode({"--max-publish-rate", "4"});
    QVERIFY(node);
    TestClient sender;
    TestClient listener;
    QUrl url = node->url();
    url.setQuery(QStringLiteral("room=rate"));
    QVERIFY(sender.open(url));
    QVERIFY(listener.open(url));
    // A burst of one (a quarter of 4 per second): the first passes, the next ones are refused.
    for (int i = 0; i < 3; ++i)
        sender.send(QStringLiteral("{\"i\":%1}").arg(i));
    QTRY_COMPARE(sender.ofType(QStringLiteral("error")).size(), 2);
    QCOMPARE(sender.ofType(QStringLiteral("error")).first().value("code").toString(), QStringLiteral("rate_limited"));
    QTRY_COMPARE(listener.messages(), QStringList({"{\"i\":0}"}));
    QVERIFY(sender.isConnected());
    // Refused ten times in a row (a second's worth, and at least 10): a flood, closed 4029. Twenty
    // leave room for a token that refilled meanwhile.
    for (int i = 0; i < 20; ++i)
        sender.send(QStringLiteral("{\"flood\":%1}").arg(i));
    QTRY_VERIFY(!sender.isConnected());
    QCOMPARE(int(sender.closeCode()), 4029);
    QVERIFY(listener.isConnected());
    const Http scrape = get(node->metricsUrl(), QStringLiteral("/metrics"));
    QCOMPARE(sample(scrape.body, "fanout_rate_limit_disconnects_total"), 1.0);
    QVERIFY(sample(scrape.body, R"(fanout_frames_rejected_total{code="rate_limited"})") >= 10);
}

QTEST_GUILESS_MAIN(tst_Operations)
#include "tst_operations.moc"
