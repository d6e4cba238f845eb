#include "deliverygap.h"
#include "inspectjson.h"
#include "node/node.h"
#include "nodeprocess.h"
#include "recordingsession.h"
#include "redis/redisbroker.h"
#include "redis/redisconnection.h"
#include "redis/redistls.h"
#include "redis/redisurl.h"
#include "redisclient.h"
#include "redisserver.h"
#include "sentinelgroup.h"
#include "sim/scenario.h"
#include "simrun.h"
#include "testcertificates.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QWebSocket>

using fanout::RedisConnection;
using fanout::RedisReply;
using fanout::RedisUrl;

/// redis+sentinel:// on real sentinels: a primary, its replica and three sentinels, all started by
/// the test on loopback. The URL forms, delivery through the primary the sentinels name, the
/// errors of an unknown master and of a server that is not a primary, credentials only for the
/// sentinels that ask for them, TLS to a sentinel and its primary, and a failover under steady
/// traffic between fanout-node processes. The inspector names the primary and its replicas; the
/// studio's engine runs its fleet through the sentinels.
class tst_Sentinel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void urlParsing_data();
    void urlParsing();
    void brokerDeliversThroughTheSentinels();
    void unknownMasterFailsClearly();
    void serverThatIsNotAPrimaryIsLeft();
    void credentialsOnlyForSentinelsThatAskForThem();
    void tlsToTheSentinelsAndThePrimary();
    void inspectorNamesPrimaryAndReplicas();
    void simulationThroughTheSentinels();
    void failoverUnderSteadyTraffic();

private:
    SentinelGroup m_group;
};

namespace {

/// A loopback port nothing listens on.
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

RedisUrl parsed(const QString &text)
{
    QString error;
    const std::optional<RedisUrl> url = RedisUrl::parse(text, &error);
    if (!url)
        qFatal("%s", qPrintable(error));
    return *url;
}

}

void tst_Sentinel::initTestCase()
{
    QVERIFY2(m_group.start(), qPrintable(m_group.errorString()));
}

void tst_Sentinel::urlParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("sentinels"); ///< empty: the text is refused
    QTest::addColumn<QString>("master");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("shown"); ///< toDisplayString(), or a part of the error
    QTest::addRow("one sentinel") << "redis+sentinel://10.0.0.1:26380/mymaster" << QStringList {"10.0.0.1:26380"}
                                  << "mymaster"
                                  << ""
                                  << "" << 0 << "redis+sentinel://10.0.0.1:26380/mymaster";
    QTest::addRow("default port") << "redis+sentinel://s1/mymaster" << QStringList {"s1:26379"} << "mymaster"
                                  << ""
                                  << "" << 0 << "redis+sentinel://s1:26379/mymaster";
    QTest::addRow("several sentinels and db")
        << "redis+sentinel://a:1,b:2,c/mymaster/3" << QStringList {"a:1", "b:2", "c:26379"} << "mymaster"
        << ""
        << "" << 3 << "redis+sentinel://a:1,b:2,c:26379/mymaster/3";
    QTest::addRow("user and password") << "redis+sentinel://app:p%40ss@a:1,b:2/m" << QStringList {"a:1", "b:2"} << "m"
                                       << "app"
                                       << "p@ss" << 0 << "redis+sentinel://app@a:1,b:2/m";
    QTest::addRow("password only") << "redis+sentinel://:s3cret@a:1/m/2" << QStringList {"a:1"} << "m"
                                   << ""
                                   << "s3cret" << 2 << "redis+sentinel://:***@a:1/m/2";
    QTest::addRow("tls") << "rediss+sentinel://app:s3cret@a:1,b:2/m/1" << QStringList {"a:1", "b:2"} << "m"
                         << "app"
                         << "s3cret" << 1 << "rediss+sentinel://app@a:1,b:2/m/1";
    QTest::addRow("ipv6") << "redis+sentinel://[::1]:26379,127.0.0.1:26380/m"
                          << QStringList {"[::1]:26379", "127.0.0.1:26380"} << "m"
                          << ""
                          << "" << 0 << "redis+sentinel://[::1]:26379,127.0.0.1:26380/m";
    QTest::addRow("no master") << "redis+sentinel://a:1" << QStringList() << ""
                               << ""
                               << "" << 0 << "the master name is missing";
    QTest::addRow("empty master") << "redis+sentinel://a:1/" << QStringList() << ""
                                  << ""
                                  << "" << 0 << "the master name is missing";
    QTest::addRow("no sentinel") << "redis+sentinel:///m" << QStringList() << ""
                                 << ""
                                 << "" << 0 << "a sentinel address is empty";
    QTest::addRow("empty sentinel") << "redis+sentinel://a:1,,b:2/m" << QStringList() << ""
                                    << ""
                                    << "" << 0 << "a sentinel address is empty";
    QTest::addRow("bad port") << "redis+sentinel://a:1,b:99999/m" << QStringList() << ""
                              << ""
                              << "" << 0 << "bad sentinel address \"b:99999\"";
    QTest::addRow("bad db") << "redis+sentinel://a:1/m/x" << QStringList() << ""
                            << ""
                            << "" << 0 << "the database must be a number";
    QTest::addRow("more path") << "redis+sentinel://a:1/m/0/x" << QStringList() << ""
                               << ""
                               << "" << 0 << "only the database may follow";
    QTest::addRow("query") << "redis+sentinel://a:1/m?role=replica" << QStringList() << ""
                           << ""
                           << "" << 0 << "unexpected query";
    QTest::addRow("sentinel list without a master") << "redis+sentinel://a:1,b:2" << QStringList() << ""
                                                    << ""
                                                    << "" << 0 << "the master name is missing";
    QTest::addRow("misspelt scheme") << "redis-sentinel://a:1/m" << QStringList() << ""
                                     << ""
                                     << "" << 0 << "the scheme must be";
}

void tst_Sentinel::urlParsing()
{
    QFETCH(QString, text);
    QFETCH(QStringList, sentinels);
    QFETCH(QString, shown);
    QString error;
    const std::optional<RedisUrl> url = RedisUrl::parse(text, &error);
    QCOMPARE(bool(url), !sentinels.isEmpty());
    if (!url) {
        QVERIFY2(error.contains(shown), qPrintable(error));
        QVERIFY2(error.contains(text), qPrintable(error));
        return;
    }
    QFETCH(QString, master);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(int, db);
    QVERIFY(url->isSentinel());
    QStringList addresses;
    for (const RedisUrl::Address &sentinel : url->sentinels)
        addresses.append(sentinel.toString());
    QCOMPARE(addresses, sentinels);
    QCOMPARE(url->masterName, master);
    QCOMPARE(url->user, user);
    QCOMPARE(url->password, password);
    QCOMPARE(url->db, db);
    QCOMPARE(url->tls, text.startsWith(QLatin1String("rediss+sentinel://")));
    QCOMPARE(url->toDisplayString(), shown);
}

void tst_Sentinel::brokerDeliversThroughTheSentinels()
{
    // The first sentinel listed does not answer: the next one is asked.
    const RedisUrl url
        = parsed(m_group.url(SentinelGroup::MasterName, {QStringLiteral("127.0.0.1:%1").arg(closedPort())}));
    auto *broker = new fanout::RedisBroker(url, QStringLiteral("sentinel-node"));
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("sentinel-node")), broker);
    QTRY_COMPARE_WITH_TIMEOUT(broker->state(), fanout::Broker::State::Connected, 10000);
    RecordingSession member(QStringLiteral("m"), fanout::SessionProtocol::Room);
    node.attach(&member);
    node.join(&member, QStringLiteral("watched"));

    RedisClient primary(m_group.primary().url());
    QTRY_COMPARE(primary.numsub("ws:room:watched"), 1);
    QCOMPARE(primary.publish("ws:room:watched", R"({"payload":"via the sentinels"})"), 1);
    QTRY_COMPARE(member.frames, QStringList({"\"via the sentinels\""}));
    const QStringList names = primary.clientNames();
    QVERIFY2(names.contains(QStringLiteral("fanout:sentinel-node:pub")), qPrintable(names.join(' ')));
    QVERIFY2(names.contains(QStringLiteral("fanout:sentinel-node:sub")), qPrintable(names.join(' ')));
    // One connection per sentinel listens for +switch-master for both of the node's connections;
    // the one that answered the question closed its questioning connection.
    for (int i = 0; i < SentinelGroup::SentinelCount; ++i) {
        RedisClient sentinel(m_group.sentinel(i).url());
        QTRY_COMPARE(sentinel.clientNames().count(QStringLiteral("fanout:sentinel-node:sentinel")), 1);
    }
    node.detach(&member);
}

void tst_Sentinel::unknownMasterFailsClearly()
{
    RedisConnection connection(parsed(m_group.url(QStringLiteral("nosuch"))), QStringLiteral("lost-master"),
                               RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    // Asked again with the backoff, each time every sentinel.
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 5000);
    QVERIFY(ready.isEmpty());
    const QString message = errors.first().first().toString();
    QVERIFY2(message.startsWith(m_group.url(QStringLiteral("nosuch"))
                                + QStringLiteral(": cannot find the primary of "
                                                 "\"nosuch\": ")),
             qPrintable(message));
    for (int i = 0; i < SentinelGroup::SentinelCount; ++i) {
        const QString answer
            = QStringLiteral("sentinel 127.0.0.1:%1: unknown master name").arg(m_group.sentinel(i).port());
        QVERIFY2(message.contains(answer), qPrintable(message));
    }

    // fanout-node says so on stderr, and keeps trying.
    QProcess node;
    node.start(NodeProcess::program(),
               {"--host", "127.0.0.1", "--port", "0", "--redis", m_group.url(QStringLiteral("nosuch"))});
    QVERIFY(node.waitForStarted(5000));
    QString printed;
    QTRY_VERIFY2_WITH_TIMEOUT((printed += QString::fromUtf8(node.readAllStandardError()))
                                  .contains(QLatin1String("cannot find the primary of \"nosuch\"")),
                              qPrintable(printed), 5000);
    QCOMPARE(node.state(), QProcess::Running);
    node.terminate();
    QVERIFY(node.waitForFinished(5000));
    QCOMPARE(node.exitCode(), 0);
}

void tst_Sentinel::serverThatIsNotAPrimaryIsLeft()
{
    // A sentinel told to monitor a replica names it as the primary: ROLE says otherwise.
    RedisServer orphan;
    QVERIFY2(orphan.start(0, {"--replicaof", "127.0.0.1", QString::number(closedPort())}),
             qPrintable(orphan.errorString()));
    RedisClient sentinel(m_group.sentinel(1).url());
    QCOMPARE(sentinel.command({"SENTINEL", "MONITOR", "orphaned", "127.0.0.1", QByteArray::number(orphan.port()), "2"})
                 .string,
             QByteArray("OK"));
    // The first sentinel does not know the name: the second one is asked.
    const QString text = QStringLiteral("redis+sentinel://127.0.0.1:%1,127.0.0.1:%2/orphaned")
                             .arg(m_group.sentinel(0).port())
                             .arg(m_group.sentinel(1).port());
    RedisConnection connection(parsed(text), QStringLiteral("role-check"), RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 5000);
    QVERIFY(ready.isEmpty());
    for (const QList<QVariant> &error : std::as_const(errors)) {
        const QString message = error.first().toString();
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:%1, which the sentinels named the primary of "
                                                 "\"orphaned\", answers ROLE with \"slave\", not \"master\"")
                                      .arg(orphan.port())),
                 qPrintable(message));
    }
    connection.close();
    QCOMPARE(sentinel.command({"SENTINEL", "REMOVE", "orphaned"}).string, QByteArray("OK"));
}

void tst_Sentinel::credentialsOnlyForSentinelsThatAskForThem()
{
    RedisServer secured;
    QVERIFY2(secured.start(0, {"--requirepass", "s3cret"}), qPrintable(secured.errorString()));
    const QStringList config = SentinelGroup::monitorConfig(QStringLiteral("guarded"), secured.port(), 1)
        + QStringList {QStringLiteral("sentinel auth-pass guarded s3cret")};
    RedisServer open;
    QVERIFY2(open.startSentinel(config), qPrintable(open.errorString()));
    RedisServer closed;
    QVERIFY2(closed.startSentinel(config + QStringList {QStringLiteral("requirepass s3cret")}),
             qPrintable(closed.errorString()));

    // An open sentinel refuses AUTH ("called without any password configured"): it gets none.
    // One that requires a password gets the URL's after its NOAUTH.
    for (const RedisServer *sentinel : {&open, &closed}) {
        RedisConnection connection(
            parsed(QStringLiteral("redis+sentinel://:s3cret@127.0.0.1:%1/guarded").arg(sentinel->port())),
            QStringLiteral("guarded"), RedisConnection::Mode::Command);
        QSignalSpy ready(&connection, &RedisConnection::ready);
        connection.open();
        QVERIFY2(ready.wait(5000), sentinel == &open ? "open sentinel" : "sentinel with requirepass");
    }
    RedisConnection without(parsed(QStringLiteral("redis+sentinel://127.0.0.1:%1/guarded").arg(closed.port())),
                            QStringLiteral("no-password"), RedisConnection::Mode::Command);
    QSignalSpy errors(&without, &RedisConnection::errorOccurred);
    without.open();
    QVERIFY(errors.wait(5000));
    QVERIFY2(errors.first().first().toString().contains(QLatin1String("NOAUTH")),
             qPrintable(errors.first().first().toString()));
}

void tst_Sentinel::tlsToTheSentinelsAndThePrimary()
{
    TestCertificates certificates;
    QVERIFY2(certificates.generate(), qPrintable(certificates.errorString()));
    const QStringList tls {"--tls-cert-file",    certificates.serverCertificate(),
                           "--tls-key-file",     certificates.serverKey(),
                           "--tls-ca-cert-file", certificates.ca(),
                           "--tls-auth-clients", "optional"};
    RedisServer primary;
    QVERIFY2(primary.startTls(tls), qPrintable(primary.errorString()));
    RedisServer sentinel; // TLS alone, and TLS to the primary it monitors
    QVERIFY2(sentinel.startSentinel(SentinelGroup::monitorConfig(QStringLiteral("sealed"), primary.port(), 1),
                                    tls + QStringList {"--tls-replication", "yes"}),
             qPrintable(sentinel.errorString()));
    QString error;
    const std::optional<fanout::RedisTls> trusted = fanout::RedisTls::load({certificates.ca(), {}, {}}, &error);
    QVERIFY2(trusted, qPrintable(error));
    RedisUrl url = parsed(QStringLiteral("rediss+sentinel://127.0.0.1:%1/sealed").arg(sentinel.port()));
    url.tlsSettings = *trusted;

    auto *broker = new fanout::RedisBroker(url, QStringLiteral("sealed-node"));
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("sealed-node")), broker);
    QTRY_COMPARE_WITH_TIMEOUT(broker->state(), fanout::Broker::State::Connected, 10000);
    RecordingSession member(QStringLiteral("m"), fanout::SessionProtocol::Room);
    node.attach(&member);
    node.join(&member, QStringLiteral("vault"));
    RedisUrl direct = primary.url();
    direct.tlsSettings = *trusted;
    RedisClient publisher(direct);
    QTRY_COMPARE(publisher.numsub("ws:room:vault"), 1);
    QCOMPARE(publisher.publish("ws:room:vault", R"({"payload":"sealed"})"), 1);
    QTRY_COMPARE(member.frames, QStringList({"\"sealed\""}));
    node.detach(&member);

    // A CA that signed neither: the sentinel's certificate is refused before anything is asked.
    url.tlsSettings = *fanout::RedisTls::load({certificates.otherCa(), {}, {}}, &error);
    RedisConnection refused(url, QStringLiteral("wrong-ca"), RedisConnection::Mode::Command);
    QSignalSpy errors(&refused, &RedisConnection::errorOccurred);
    refused.open();
    QVERIFY(errors.wait(5000));
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(
                 QStringLiteral("sentinel 127.0.0.1:%1: TLS certificate verification failed").arg(sentinel.port())),
             qPrintable(message));
}

void tst_Sentinel::inspectorNamesPrimaryAndReplicas()
{
    // The replica is in ROLE's list once it is in sync.
    QTRY_VERIFY_WITH_TIMEOUT(m_group.isReadyForFailover(), 15000);
    const QJsonObject json = inspectJson(m_group.url());
    QVERIFY(!json.isEmpty());
    const QJsonObject sentinel = json.value("sentinel").toObject();
    QCOMPARE(sentinel.value("master_name").toString(), SentinelGroup::MasterName);
    QCOMPARE(sentinel.value("primary").toString(), QStringLiteral("127.0.0.1:%1").arg(m_group.primary().port()));
    QCOMPARE(sentinel.value("replicas").toArray().toVariantList(),
             QVariantList({QStringLiteral("127.0.0.1:%1").arg(m_group.replica().port())}));
    QStringList sentinels;
    for (int i = 0; i < SentinelGroup::SentinelCount; ++i)
        sentinels.append(QStringLiteral("127.0.0.1:%1").arg(m_group.sentinel(i).port()));
    QCOMPARE(sentinel.value("sentinels").toVariant().toStringList(), sentinels);
    QCOMPARE(json.value("read_only").toBool(), true);
    QVERIFY2(json.value("errors").toArray().isEmpty(), QJsonDocument(json.value("errors").toArray()).toJson());

    // A plain URL has no sentinel object.
    const QJsonObject plain = inspectJson(m_group.primary().urlString());
    QVERIFY(!plain.isEmpty());
    QVERIFY(!plain.contains(QStringLiteral("sentinel")));
}

void tst_Sentinel::simulationThroughTheSentinels()
{
    QString error;
    auto scenario = fanout::Scenario::load(QStringLiteral("hot-room"), &error);
    QVERIFY2(scenario, qPrintable(error));
    scenario->seconds = 2;
    fanout::Simulation inProcess(*scenario);
    const auto expected = runToEnd(inProcess);
    fanout::Simulation throughSentinels(*scenario);
    const auto seen = runToEnd(throughSentinels, m_group.url(), 1.0);
    QVERIFY(expected);
    QVERIFY(seen);
    QCOMPARE(seen->broker, parsed(m_group.url()).toDisplayString());
    QCOMPARE(seen->totals.published, expected->totals.published);
    QCOMPARE(seen->totals.delivered, expected->totals.delivered);
    QCOMPARE(seen->totals.lost, quint64(0));
}

void tst_Sentinel::failoverUnderSteadyTraffic()
{
    constexpr int publishIntervalMs = 20;
    QVERIFY2(QTest::qWaitFor([this] { return m_group.isReadyForFailover(); }, 20000),
             "the sentinels did not learn of the replica and of each other in time");
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("REDIS_URL"), m_group.url());
    NodeProcess a;
    NodeProcess b;
    for (NodeProcess *node : {&a, &b}) {
        const QString id = node == &a ? QStringLiteral("failover-a") : QStringLiteral("failover-b");
        QVERIFY2(node->start({"--host", "127.0.0.1", "--port", "0", "--node-id", id}, environment),
                 qPrintable(node->errorString()));
    }
    TestClient publisher;
    QUrl publisherUrl = a.url();
    publisherUrl.setQuery(QStringLiteral("room=failover"));
    QVERIFY(publisher.open(publisherUrl));
    QElapsedTimer clock;
    clock.start();
    QWebSocket receiver;
    QList<qint64> arrivals;
    QSet<int> received;
    int receiverDisconnects = 0;
    connect(&receiver, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        arrivals.append(clock.elapsed());
        received.insert(text.toInt());
    });
    connect(&receiver, &QWebSocket::disconnected, this, [&] { ++receiverDisconnects; });
    QSignalSpy receiverConnected(&receiver, &QWebSocket::connected);
    QUrl receiverUrl = b.url();
    receiverUrl.setQuery(QStringLiteral("room=failover"));
    receiver.open(receiverUrl);
    QVERIFY(receiverConnected.wait(5000));
    {
        RedisClient primary(m_group.primary().url());
        QTRY_COMPARE(primary.numsub("ws:room:failover"), 2);
    }

    // The test's own ear on a sentinel tells when the failover ended.
    RedisConnection ear(m_group.sentinel(2).url(), QStringLiteral("failover-test"), RedisConnection::Mode::Subscriber);
    qint64 switchedAt = -1;
    connect(&ear, &RedisConnection::ready, this, [&ear] { ear.send({"SUBSCRIBE", "+switch-master"}); });
    QSignalSpy pushes(&ear, &RedisConnection::pushReceived);
    connect(&ear, &RedisConnection::pushReceived, this, [&](const RedisReply &push) {
        if (switchedAt < 0 && push.elements.value(0).string == "message")
            switchedAt = clock.elapsed();
    });
    ear.open();
    QTRY_COMPARE(pushes.size(), 1);

    int sent = 0;
    QTimer publishing;
    connect(&publishing, &QTimer::timeout, this, [&] { publisher.send(QString::number(++sent)); });
    publishing.start(publishIntervalMs);
    QTRY_VERIFY(arrivals.size() >= 10);

    const qint64 killedAt = clock.elapsed();
    m_group.primary().kill();
    QTRY_VERIFY_WITH_TIMEOUT(switchedAt >= 0, 20000);
    const auto arrivedAfterSwitch
        = [&] { return std::count_if(arrivals.cbegin(), arrivals.cend(), [&](qint64 at) { return at > switchedAt; }); };
    QTRY_VERIFY_WITH_TIMEOUT(arrivedAfterSwitch() >= 10, 10000);
    publishing.stop();
    QTRY_VERIFY(received.contains(sent));

    const DeliveryGap gap = DeliveryGap::longest(arrivals);
    const qint64 resumedAt = gap.endsAt;
    const qint64 failoverMs = switchedAt - killedAt;
    qInfo("failover (SIGKILL to +switch-master) %lld ms; delivery gap %lld ms, resumed %lld ms after the kill and "
          "%lld ms after +switch-master; %lld of %d messages lost",
          failoverMs, gap.length, resumedAt - killedAt, resumedAt - switchedAt, qlonglong(sent - received.size()),
          sent);
    QVERIFY(resumedAt > killedAt);
    QVERIFY2(resumedAt - killedAt <= failoverMs + 2000, qPrintable(QString::number(resumedAt - killedAt)));
    QCOMPARE(receiverDisconnects, 0);
    QCOMPARE(publisher.disconnects(), 0);

    // Both nodes are on the promoted replica, which they found through the sentinels.
    RedisClient promoted(m_group.replica().url());
    const QStringList names = promoted.clientNames();
    for (const char *name :
         {"fanout:failover-a:pub", "fanout:failover-a:sub", "fanout:failover-b:pub", "fanout:failover-b:sub"})
        QVERIFY2(names.contains(QLatin1String(name)), qPrintable(names.join(' ')));
    QCOMPARE(a.terminate(), 0);
    QCOMPARE(b.terminate(), 0);
}

QTEST_GUILESS_MAIN(tst_Sentinel)
#include "tst_sentinel.moc"
