#include "console/redisconsole.h"
#include "driftkinds.h"
#include "inspect/redisinspector.h"
#include "nodeprocess.h"
#include "quiet.h"
#include "redis/clientnames.h"
#include "redisclient.h"
#include "redisserver.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <memory>
#include <optional>

using fanout::DriftFinding;
using fanout::FleetNode;
using fanout::InspectionSnapshot;
using fanout::RedisConsole;
using fanout::RedisInspector;

Q_DECLARE_METATYPE(fanout::InspectionSnapshot)

namespace {

std::optional<InspectionSnapshot> inspect(RedisInspector &inspector)
{
    QSignalSpy ready(&inspector, &RedisInspector::snapshotReady);
    if (!inspector.isConnected()) {
        QSignalSpy connected(&inspector, &RedisInspector::connected);
        inspector.open();
        if (!connected.wait(5000))
            return std::nullopt;
    }
    inspector.refresh();
    if (!ready.wait(5000))
        return std::nullopt;
    return ready.first().first().value<InspectionSnapshot>();
}

const fanout::FleetNode *nodeById(const InspectionSnapshot &snapshot, const QString &id)
{
    for (const auto &node : snapshot.nodes) {
        if (node.record.id == id)
            return &node;
    }
    return nullptr;
}

/// A MONITOR connection that keeps the commands one client address sends.
class Monitor : public QObject
{
public:
    explicit Monitor(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(2000);
        m_socket.write("MONITOR\r\n");
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { m_text += m_socket.readAll(); });
    }
    /// Whether Redis acknowledged MONITOR: from then on it reports every command.
    bool isOn() const { return m_text.startsWith("+OK\r\n"); }
    /// The commands from one address as MONITOR prints their words: "PUBSUB" "NUMSUB" "ws:room:a".
    QStringList linesFrom(const QString &address) const
    {
        QStringList lines;
        static const QRegularExpression line(QStringLiteral("^\\+[0-9.]+ \\[\\d+ ([^\\]]+)\\] (.*)$"));
        for (const QString &text : QString::fromUtf8(m_text).split(QStringLiteral("\r\n"))) {
            const auto match = line.match(text);
            if (match.hasMatch() && match.captured(1) == address)
                lines.append(match.captured(2));
        }
        return lines;
    }
    /// The command names from one address, upper case.
    QStringList commandsFrom(const QString &address) const
    {
        QStringList commands;
        for (const QString &line : linesFrom(address))
            commands.append(line.section(QLatin1Char('"'), 1, 1).toUpper());
        return commands;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_text;
};

}

class tst_Inspect : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void liveFleetIsShownAndFollowed();
    void killedNodeIsSuspectAtTheNextRefresh();
    void killedSubscriberHeldFromResubscribingIsReported();
    void registryClaimAndLeakAreReported();
    void readOnlySendsNoWrite();
    void consoleSharesTheInspectorsMode();
    void refreshCutShortStartsAfreshAfterReconnect();
    void manyChannelsInBatches();
    void headlessInspect_data();
    void headlessInspect();

private:
    bool startFleet(int count);
    RedisServer m_redis;
    std::vector<std::unique_ptr<NodeProcess>> m_nodes;
};

void tst_Inspect::initTestCase()
{
    qRegisterMetaType<InspectionSnapshot>();
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

bool tst_Inspect::startFleet(int count)
{
    m_nodes.clear();
    RedisClient(m_redis.url()).command({"FLUSHALL"});
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<NodeProcess>();
        if (!node->start({"--host", "127.0.0.1", "--port", "0", "--redis", m_redis.urlString(), "--node-id",
                          QStringLiteral("insp-%1").arg(i)})) {
            qWarning("%s", qPrintable(node->errorString()));
            return false;
        }
        m_nodes.push_back(std::move(node));
    }
    return true;
}

void tst_Inspect::liveFleetIsShownAndFollowed()
{
    QVERIFY(startFleet(2));
    TestClient a0, a1, b1;
    QUrl url = m_nodes[0]->url();
    url.setQuery(QStringLiteral("room=alpha"));
    QVERIFY(a0.open(url));
    url = m_nodes[1]->url();
    url.setQuery(QStringLiteral("room=alpha"));
    QVERIFY(a1.open(url));
    url.setQuery(QStringLiteral("room=beta"));
    QVERIFY(b1.open(url));

    RedisInspector inspector(m_redis.url());
    std::optional<InspectionSnapshot> snapshot;
    // Both nodes write their records and subscribe in their own time: wait for both.
    const auto settled = [&snapshot] {
        const fanout::FleetNode *node0 = nodeById(*snapshot, "insp-0");
        const fanout::FleetNode *node1 = nodeById(*snapshot, "insp-1");
        return snapshot->nodes.size() == 2 && node0 && node0->record.roomCount == 1 && node1
            && node1->record.roomCount == 2 && snapshot->channels.size() == 2 && snapshot->channels[0].subscribers == 2;
    };
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && settled(), 5000);
    QCOMPARE(snapshot->channels[0].channel, QStringLiteral("ws:room:alpha"));
    QCOMPARE(snapshot->channels[0].subscribers, 2);
    QCOMPARE(snapshot->channels[1].channel, QStringLiteral("ws:room:beta"));
    QCOMPARE(snapshot->channels[1].subscribers, 1);
    const fanout::FleetNode *node1 = nodeById(*snapshot, QStringLiteral("insp-1"));
    QCOMPARE(node1->record.rooms, QStringList({"alpha", "beta"}));
    QCOMPARE(node1->record.sessions, 2);
    QCOMPARE(node1->state, FleetNode::State::Alive);
    QVERIFY(node1->publishClient >= 0);
    QVERIFY(node1->subscribeClient >= 0);
    QCOMPARE(snapshot->clients[size_t(node1->subscribeClient)].subscriptions, 2);
    QCOMPARE(snapshot->clients[size_t(node1->publishClient)].name, QStringLiteral("fanout:insp-1:pub"));
    QCOMPARE(driftKinds(*snapshot), QStringList());

    b1.close();
    a0.close();
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->channels.size() == 1
                                 && nodeById(*snapshot, "insp-1")->record.roomCount == 1
                                 && nodeById(*snapshot, "insp-0")->record.roomCount == 0,
                             5000);
    QCOMPARE(snapshot->channels[0].subscribers, 1);
    QCOMPARE(driftKinds(*snapshot), QStringList());

    QCOMPARE(m_nodes[1]->terminate(), 0); // a clean stop withdraws its record
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->nodes.size() == 1, 5000);
    QCOMPARE(snapshot->nodes[0].record.id, QStringLiteral("insp-0"));
}

void tst_Inspect::killedNodeIsSuspectAtTheNextRefresh()
{
    QVERIFY(startFleet(2));
    TestClient client;
    QUrl url = m_nodes[0]->url();
    url.setQuery(QStringLiteral("room=doomed"));
    QVERIFY(client.open(url));
    RedisInspector inspector(m_redis.url());
    std::optional<InspectionSnapshot> snapshot;
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->nodes.size() == 2
                                 && nodeById(*snapshot, "insp-0")->record.roomCount == 1,
                             5000);
    QCOMPARE(nodeById(*snapshot, "insp-0")->state, FleetNode::State::Alive);

    m_nodes[0]->process().kill(); // SIGKILL: no clean stop withdraws its record
    QVERIFY(m_nodes[0]->process().waitForFinished(5000));
    QElapsedTimer sinceKill;
    sinceKill.start();
    // Redis drops the connections of a killed process at once; the next refresh must say so, long
    // before the record expires (NodeRecord::TtlSeconds).
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && nodeById(*snapshot, "insp-0")
                                 && nodeById(*snapshot, "insp-0")->state == FleetNode::State::Suspect,
                             2000);
    QVERIFY(sinceKill.elapsed() < fanout::NodeRecord::TtlSeconds * 1000 / 2);
    QCOMPARE(nodeById(*snapshot, "insp-0")->record.roomCount, 1); // its record is still there
    QCOMPARE(nodeById(*snapshot, "insp-1")->state, FleetNode::State::Alive);
    QCOMPARE(driftKinds(*snapshot), QStringList({"suspect_node"}));
    for (const QJsonValue node : snapshot->toJson().value("nodes").toArray()) {
        const bool killed = node.toObject().value("id").toString() == QLatin1String("insp-0");
        QCOMPARE(node.toObject().value("state").toString(), killed ? QStringLiteral("suspect") : "alive");
        QCOMPARE(node.toObject().value("vanished").toBool(), false);
    }
}

void tst_Inspect::killedSubscriberHeldFromResubscribingIsReported()
{
    QVERIFY(startFleet(1));
    TestClient client;
    QUrl url = m_nodes[0]->url();
    url.setQuery(QStringLiteral("room=held"));
    QVERIFY(client.open(url));
    RedisInspector inspector(m_redis.url());
    std::optional<InspectionSnapshot> snapshot;
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->channels.size() == 1
                                 && !snapshot->nodes.empty() && snapshot->nodes[0].record.roomCount == 1,
                             5000);
    QCOMPARE(driftKinds(*snapshot), QStringList());

    // Freeze the node so it cannot reconnect, then cut its subscribe connection.
    const qint64 pid = m_nodes[0]->process().processId();
    QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
    RedisClient admin(m_redis.url());
    QCOMPARE(admin.command({"CLIENT", "KILL", "TYPE", "pubsub"}).integer, 1);
    snapshot = inspect(inspector);
    QVERIFY(snapshot);
    QCOMPARE(driftKinds(*snapshot), QStringList({"missing_subscription", "no_subscribe_connection"}));
    for (const DriftFinding &finding : snapshot->findings) {
        QCOMPARE(finding.severity, DriftFinding::Severity::Error);
        QCOMPARE(finding.node, QStringLiteral("insp-0"));
    }

    QCOMPARE(::kill(pid_t(pid), SIGCONT), 0);
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->findings.empty(), 5000);
    QCOMPARE(snapshot->channels.size(), size_t(1));
}

void tst_Inspect::registryClaimAndLeakAreReported()
{
    QVERIFY(startFleet(1));
    RedisClient admin(m_redis.url());
    admin.command({"HSET", "fanout:node:phantom", "id", "phantom", "prefix", "ws:room:", "rooms", "[\"ghost\"]",
                   "room_count", "1"});
    admin.command({"ZADD", "fanout:nodes", QByteArray::number(QDateTime::currentMSecsSinceEpoch()), "phantom"});
    // Its publish connection keeps it alive (not suspect), so its claim is checked.
    fanout::RedisConnection phantomPublish(m_redis.url(), fanout::ClientNames::nodePublish(QStringLiteral("phantom")),
                                           fanout::RedisConnection::Mode::Command);
    QSignalSpy phantomReady(&phantomPublish, &fanout::RedisConnection::ready);
    phantomPublish.open();
    QVERIFY(phantomReady.wait(5000));
    fanout::RedisConnection leaky(m_redis.url(), QStringLiteral("fanout:leaky:sub"),
                                  fanout::RedisConnection::Mode::Subscriber);
    QSignalSpy ready(&leaky, &fanout::RedisConnection::ready);
    leaky.open();
    QVERIFY(ready.wait(5000));
    leaky.send({"SUBSCRIBE", "ws:room:leak"});
    RedisInspector inspector(m_redis.url());
    std::optional<InspectionSnapshot> snapshot;
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->channels.size() == 1, 5000);
    QCOMPARE(driftKinds(*snapshot),
             QStringList({"missing_subscription", "no_subscribe_connection", "subscription_without_members"}));
    for (const DriftFinding &finding : snapshot->findings) {
        if (finding.kind == QLatin1String("missing_subscription")) {
            QCOMPARE(finding.room, QStringLiteral("ghost"));
            QCOMPARE(finding.node, QStringLiteral("phantom"));
        }
        if (finding.kind == QLatin1String("subscription_without_members"))
            QCOMPARE(finding.room, QStringLiteral("leak"));
    }

    admin.command({"DEL", "fanout:node:phantom"});
    snapshot = inspect(inspector);
    QVERIFY(snapshot);
    QCOMPARE(nodeById(*snapshot, "phantom")->state, FleetNode::State::Vanished);
    QVERIFY(driftKinds(*snapshot).contains(QStringLiteral("vanished_node")));
}

void tst_Inspect::readOnlySendsNoWrite()
{
    QVERIFY(startFleet(1));
    TestClient client;
    QUrl url = m_nodes[0]->url();
    url.setQuery(QStringLiteral("room=watched"));
    QVERIFY(client.open(url));
    RedisClient admin(m_redis.url());
    // The node subscribes after the join; the monitored refresh below must find the channel.
    QTRY_COMPARE(admin.numsub("ws:room:watched"), 1);
    RedisInspector inspector(m_redis.url());
    QVERIFY(inspect(inspector));
    QString address;
    for (const QString &line : QString::fromUtf8(admin.command({"CLIENT", "LIST"}).string).split(QLatin1Char('\n'))) {
        if (line.contains(QLatin1String("name=fanout-inspector ")))
            address = line.section(QStringLiteral("addr="), 1).section(QLatin1Char(' '), 0, 0);
    }
    QVERIFY(!address.isEmpty());

    Monitor monitor(m_redis.port());
    QTRY_VERIFY(monitor.isOn());
    inspector.setSniffing(false);
    QVERIFY(inspect(inspector));
    RedisConsole *console = inspector.console();
    QSignalSpy answered(console, &RedisConsole::answered);
    console->execute(QStringLiteral("PUBLISH ws:room:watched '{\"payload\":\"should not pass\"}'"));
    console->execute(QStringLiteral("SET k v"));
    console->execute(QStringLiteral("PUBSUB NUMSUB ws:room:watched"));
    QTRY_COMPARE(answered.size(), 3);
    const QString refusal = QStringLiteral("(error) ERR refused: read-only mode (allow writes first)");
    QCOMPARE(answered.at(0).at(1).toString(), refusal);
    QCOMPARE(answered.at(1).at(1).toString(), refusal);
    QCOMPARE(answered.at(2).at(1).toString(), QStringLiteral("1) \"ws:room:watched\"\n2) (integer) 1"));
    // MONITOR reports in order: once the console's NUMSUB shows (after the refresh's own), every
    // command sent before it has shown too.
    const QString numsub = QStringLiteral("\"PUBSUB\" \"NUMSUB\" \"ws:room:watched\"");
    QTRY_COMPARE(monitor.linesFrom(address).count(numsub), 2);
    const QStringList reads {"PUBSUB", "CLIENT", "CONFIG", "ZRANGE", "HGETALL"};
    for (const QString &command : monitor.commandsFrom(address))
        QVERIFY2(reads.contains(command), qPrintable(QStringLiteral("read-only inspector sent ") + command));
    QVERIFY(client.messages().isEmpty());

    inspector.setWritesAllowed(true);
    QVERIFY(console->writesAllowed());
    console->execute(QStringLiteral("PUBLISH ws:room:watched '{\"payload\":\"allowed\"}'"));
    QTRY_COMPARE(answered.size(), 4);
    QCOMPARE(answered.at(3).at(1).toString(), QStringLiteral("(integer) 1"));
    QTRY_COMPARE(client.messages(), QStringList({"\"allowed\""}));
}

void tst_Inspect::consoleSharesTheInspectorsMode()
{
    RedisInspector inspector(m_redis.url());
    RedisConsole *console = inspector.console();
    QCOMPARE(console->target(), m_redis.url().toDisplayString());
    QVERIFY(!inspector.writesAllowed());
    QVERIFY(!console->writesAllowed());
    QSignalSpy modeChanged(&inspector, &RedisInspector::modeChanged);

    console->setWritesAllowed(true);
    QVERIFY(inspector.writesAllowed());
    QCOMPARE(modeChanged.size(), 1);
    QCOMPARE(modeChanged.last().first().toBool(), true);

    inspector.setWritesAllowed(false);
    QVERIFY(!console->writesAllowed());
    QCOMPARE(modeChanged.size(), 2);
    QCOMPARE(modeChanged.last().first().toBool(), false);
    inspector.setWritesAllowed(false);
    QCOMPARE(modeChanged.size(), 2);
}

void tst_Inspect::refreshCutShortStartsAfreshAfterReconnect()
{
    QVERIFY(startFleet(0));
    RedisInspector inspector(m_redis.url());
    QVERIFY(inspect(inspector));
    QSignalSpy ready(&inspector, &RedisInspector::snapshotReady);
    inspector.refresh(); // its commands wait in the socket for the event loop: the server never sees them
    m_redis.stop();
    QVERIFY2(Quiet::nothingArrivesWithin(ready, 300), "a refresh cut short must not report a snapshot");
    QVERIFY2(m_redis.start(m_redis.port()), qPrintable(m_redis.errorString()));
    const std::optional<InspectionSnapshot> snapshot = inspect(inspector);
    QVERIFY(snapshot);
    QVERIFY(snapshot->errors.isEmpty());
}

void tst_Inspect::manyChannelsInBatches()
{
    QVERIFY(startFleet(0));
    fanout::RedisConnection subscriber(m_redis.url(), QStringLiteral("bulk"),
                                       fanout::RedisConnection::Mode::Subscriber);
    QSignalSpy ready(&subscriber, &fanout::RedisConnection::ready);
    subscriber.open();
    QVERIFY(ready.wait(5000));
    const int count = 2500;
    for (int first = 0; first < count; first += 500) {
        QList<QByteArray> args {"SUBSCRIBE"};
        for (int i = first; i < first + 500; ++i)
            args.append("ws:room:bulk-" + QByteArray::number(i));
        subscriber.send(args);
    }
    RedisInspector inspector(m_redis.url());
    std::optional<InspectionSnapshot> snapshot;
    QTRY_VERIFY_WITH_TIMEOUT((snapshot = inspect(inspector)) && snapshot->channels.size() == size_t(count), 10000);
    for (const auto &channel : snapshot->channels)
        QCOMPARE(channel.subscribers, 1);
    QCOMPARE(driftKinds(*snapshot), QStringList(count, QStringLiteral("unattributed_subscription")));
}

void tst_Inspect::headlessInspect_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output");
    QTest::addRow("json") << QStringList {"--inspect", "%URL%", "--json"} << 0 << "\"channels\"";
    QTest::addRow("prefix") << QStringList {"--inspect", "%URL%", "--prefix", "other:", "--json"} << 0
                            << "\"prefix\": \"other:\"";
    QTest::addRow("unreachable") << QStringList {"--inspect", "redis://127.0.0.1:1", "--json"} << 1
                                 << "cannot reach redis://127.0.0.1:1";
    QTest::addRow("bad url") << QStringList {"--inspect", "http://x", "--json"} << 2 << "--inspect";
    QTest::addRow("summary") << QStringList {"--inspect", "%URL%"} << 0
                             << "Drift: none, every node's registry matches Redis";
    QTest::addRow("summary, unreachable")
        << QStringList {"--inspect", "redis://127.0.0.1:1"} << 1 << "cannot reach redis://127.0.0.1:1";
    QTest::addRow("json without inspect") << QStringList {"--json"} << 2 << "--json goes with --inspect";
}

void tst_Inspect::headlessInspect()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, output);
    QVERIFY(startFleet(1));
    TestClient client;
    QUrl url = m_nodes[0]->url();
    url.setQuery(QStringLiteral("room=cli"));
    QVERIFY(client.open(url));
    RedisClient admin(m_redis.url());
    QTRY_COMPARE(admin.numsub("ws:room:cli"), 1);
    QTRY_COMPARE(admin.command({"HGET", fanout::NodeRecord::key(QStringLiteral("insp-0")), "room_count"}).string,
                 QByteArray("1"));
    arguments.replaceInStrings(QStringLiteral("%URL%"), m_redis.urlString());
    QProcess process;
    QElapsedTimer running;
    running.start();
    process.start(QStringLiteral(FANOUT_STUDIO_PATH), arguments);
    QVERIFY(process.waitForFinished(15000));
    const qint64 runningMs = running.elapsed();
    const QByteArray out = process.readAllStandardOutput();
    const QString printed = QString::fromUtf8(out + process.readAllStandardError());
    QCOMPARE(process.exitCode(), exitCode);
    QVERIFY2(printed.contains(output), qPrintable(printed));
    if (exitCode != 0 || arguments.contains(QStringLiteral("--prefix")))
        return;
    if (!arguments.contains(QStringLiteral("--json"))) {
        static const QRegularExpression nodeLine(
            QStringLiteral("\\n  insp-0 +alive +ws://127\\.0\\.0\\.1:\\d+ +1 +1 "));
        QVERIFY2(nodeLine.match(printed).hasMatch(), qPrintable(printed));
        QVERIFY2(printed.contains(QLatin1String("Nodes: 1 (1 alive)")), qPrintable(printed));
        QVERIFY2(printed.contains(QLatin1String("Rooms: 1 channel(s) under ws:room:\n")), qPrintable(printed));
        QVERIFY2(QRegularExpression(QStringLiteral("\\n  cli +ws:room:cli +1\\n")).match(printed).hasMatch(),
                 qPrintable(printed));
        return;
    }
    const QJsonObject json = QJsonDocument::fromJson(out).object();
    // taken_ms is how long the inspection took, taken_at when it ended.
    QVERIFY(json.value("taken_ms").isDouble());
    QVERIFY(json.value("taken_ms").toDouble() >= 0);
    QVERIFY(json.value("taken_ms").toDouble() <= double(runningMs));
    const QDateTime takenAt = QDateTime::fromString(json.value("taken_at").toString(), Qt::ISODateWithMs);
    QVERIFY2(takenAt.isValid(), qPrintable(json.value("taken_at").toString()));
    QVERIFY(qAbs(takenAt.msecsTo(QDateTime::currentDateTimeUtc())) < runningMs + 1000);
    QCOMPARE(json.value("read_only").toBool(), true);
    QCOMPARE(json.value("channels").toArray().size(), 1);
    QCOMPARE(json.value("channels").toArray().first().toObject().value("numsub").toInt(), 1);
    const QJsonArray nodes = json.value("nodes").toArray();
    QCOMPARE(nodes.size(), 1);
    QCOMPARE(nodes.first().toObject().value("subscribe_connection").toObject().value("name").toString(),
             QStringLiteral("fanout:insp-0:sub"));
    QCOMPARE(nodes.first().toObject().value("state").toString(), QStringLiteral("alive"));
    QCOMPARE(json.value("findings").toArray().size(), 0);
}

QTEST_GUILESS_MAIN(tst_Inspect)
#include "tst_inspect.moc"
