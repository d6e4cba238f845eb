#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "console/redisconsole.h"
#include "node/clientprotocol.h"
#include "node/node.h"
#include "redisserver.h"
#include "sim/deliveryledger.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/virtualclient.h"
#include "simrun.h"
#include "testclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using fanout::Scenario;
using fanout::ScenarioStep;
using fanout::SimSnapshot;
using fanout::Simulation;

namespace {

/// One room, three nodes, nine clients placed round robin (clients 0,3,6 on node 0; 1,4,7 on
/// node 1; 2,5,8 on node 2), one sender (client 0, on node 0), 100 messages per second in
/// 10 ms ticks: one message per tick, so a fault of d seconds covers exactly 100*d messages.
Scenario oneRoomFleet(double seconds)
{
    Scenario s;
    s.name = QStringLiteral("one-room");
    s.seconds = seconds;
    s.nodes = 3;
    s.clients = 9;
    s.rooms = 1;
    s.senders = 1;
    s.publishRate = 100;
    s.tickMs = 10;
    s.settleMs = 1000;
    s.reconnectDelayMs = 500;
    return s;
}

quint64 lostBy(const SimSnapshot &s, fanout::LossCause cause)
{
    return s.totals.lostByCause[size_t(cause)];
}

}

class tst_Sim : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void noFaultsLosesNothing_data();
    void noFaultsLosesNothing();
    void sameAccountingOnBothBrokers();
    void sameSeedSameRun();
    void killedNodeLosesExactlyWhileAway();
    void brokerOutageLosesOnlyRemoteDeliveries();
    void partitionLosesExactly_data();
    void partitionLosesExactly();
    void slowClientDropsPastItsLimit();
    void slowClientDisconnectPolicy();
    void realClientSeesWhatVirtualMembersSee();
    void tracesFollowMessages();
    void virtualClientsHearUserJoined_data();
    void virtualClientsHearUserJoined();
    void virtualClientMeetsTheRoomCap();
    void consoleAnswersTheSameOnBothBrokers();
    void scenarioErrorsSayWhere_data();
    void scenarioErrorsSayWhere();
    void builtinScenariosLoad();
    void headlessRunner_data();
    void headlessRunner();

private:
    RedisServer m_redis;
};

void tst_Sim::initTestCase()
{
    qRegisterMetaType<fanout::SimSnapshot>();
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Sim::noFaultsLosesNothing_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addRow("in-process") << false;
    QTest::addRow("redis") << true;
}

void tst_Sim::noFaultsLosesNothing()
{
    QFETCH(bool, redis);
    QString error;
    auto scenario = Scenario::load(QStringLiteral("basics"), &error);
    QVERIFY2(scenario, qPrintable(error));
    scenario->seconds = redis ? 2 : 10;
    Simulation simulation(*scenario);
    const auto result = runToEnd(simulation, redis ? m_redis.urlString() : QString());
    QVERIFY(result);
    QVERIFY(result->totals.published > 0);
    QCOMPARE(result->totals.lost, 0u);
    QCOMPARE(result->totals.duplicates, 0u);
    QCOMPARE(result->totals.delivered, result->totals.expected);
    QCOMPARE(result->totals.lateDeliveries, 0u);
    QCOMPARE(result->socketDeliveries, result->totals.delivered);
    QCOMPARE(result->wastedNodeDeliveries, 0u);
    QCOMPARE(result->amplification, 3.0); // each room has members on all three nodes
    QVERIFY(result->latencyP99Ms > 0);
}

void tst_Sim::sameAccountingOnBothBrokers()
{
    QString error;
    auto scenario = Scenario::load(QStringLiteral("hot-room"), &error);
    QVERIFY2(scenario, qPrintable(error));
    scenario->seconds = 2;
    Simulation inProcess(*scenario);
    const auto a = runToEnd(inProcess);
    Simulation onRedis(*scenario);
    const auto b = runToEnd(onRedis, m_redis.urlString(), 1.0);
    QVERIFY(a);
    QVERIFY(b);
    QCOMPARE(b->broker, m_redis.url().toDisplayString());
    QCOMPARE(a->totals.published, b->totals.published);
    QCOMPARE(a->totals.expected, b->totals.expected);
    QCOMPARE(a->totals.delivered, b->totals.delivered);
    QCOMPARE(a->totals.lost, b->totals.lost);
    QCOMPARE(a->totals.duplicates, b->totals.duplicates);
    QCOMPARE(a->busDeliveries, b->busDeliveries);
    QCOMPARE(a->busBytes, b->busBytes);
    QCOMPARE(a->nodes.size(), b->nodes.size());
    for (size_t n = 0; n < a->nodes.size(); ++n) {
        QCOMPARE(a->nodes[n].clients, b->nodes[n].clients);
        QCOMPARE(a->nodes[n].rooms, b->nodes[n].rooms);
        QCOMPARE(a->nodes[n].subscriptions, b->nodes[n].subscriptions);
        QCOMPARE(a->nodes[n].received, b->nodes[n].received);
        QCOMPARE(a->nodes[n].delivered, b->nodes[n].delivered);
    }
    QCOMPARE(a->roomMembers, b->roomMembers);
}

void tst_Sim::sameSeedSameRun()
{
    QString error;
    auto scenario = Scenario::load(QStringLiteral("node-failure"), &error);
    QVERIFY2(scenario, qPrintable(error));
    Simulation first(*scenario);
    Simulation second(*scenario);
    const auto a = runToEnd(first);
    const auto b = runToEnd(second);
    QVERIFY(a);
    QVERIFY(b);
    QCOMPARE(a->totals.published, b->totals.published);
    QCOMPARE(a->totals.expected, b->totals.expected);
    QCOMPARE(a->totals.delivered, b->totals.delivered);
    QCOMPARE(a->totals.lostByCause, b->totals.lostByCause);
    for (int c = 0; c < scenario->clients; ++c)
        QCOMPARE(first.deliveredTo(c), second.deliveredTo(c));
}

void tst_Sim::killedNodeLosesExactlyWhileAway()
{
    Scenario scenario = oneRoomFleet(3);
    scenario.steps.push_back({1.0, ScenarioStep::Action::KillNode, 1, -1, 0});
    Simulation simulation(scenario);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    // Killed at tick 100, its three members re-home at tick 150: 50 messages miss each of them.
    QCOMPARE(result->totals.published, 300u);
    QCOMPARE(result->totals.expected, 2700u);
    QCOMPARE(lostBy(*result, fanout::LossCause::NodeDown), 150u);
    QCOMPARE(result->totals.lost, 150u);
    QCOMPARE(result->totals.duplicates, 0u);
    QCOMPARE(result->totals.delivered, 2550u);
    for (int c = 0; c < 9; ++c) {
        const bool wasOnNode1 = c % 3 == 1;
        QCOMPARE(simulation.lostBy(c), wasOnNode1 ? 50u : 0u);
        QCOMPARE(simulation.deliveredTo(c), wasOnNode1 ? 250u : 300u);
    }
    QCOMPARE(result->nodes[1].state, fanout::SimNodeState::Down);
    QCOMPARE(result->nodes[1].clients, 0);
    QCOMPARE(result->nodes[0].clients + result->nodes[2].clients, 9);
}

void tst_Sim::brokerOutageLosesOnlyRemoteDeliveries()
{
    Scenario scenario = oneRoomFleet(3);
    scenario.steps.push_back({1.0, ScenarioStep::Action::BrokerDown, -1, -1, 0});
    scenario.steps.push_back({2.0, ScenarioStep::Action::BrokerUp, -1, -1, 0});
    Simulation simulation(scenario);
    QSignalSpy snapshots(&simulation, &Simulation::snapshotReady);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    // 100 messages during the outage reach the sender's node (3 members) only: 6 misses each.
    QCOMPARE(lostBy(*result, fanout::LossCause::BrokerDown), 600u);
    QCOMPARE(result->totals.lost, 600u);
    QCOMPARE(result->totals.delivered, 2100u);
    QCOMPARE(result->totals.duplicates, 0u);
    QCOMPARE(result->nodes[0].fallbackDelivered, 300u);
    for (int c = 0; c < 9; ++c)
        QCOMPARE(simulation.deliveredTo(c), c % 3 == 0 ? 300u : 200u);
    QVERIFY(result->brokerUp);
    for (const auto &node : result->nodes)
        QCOMPARE(node.state, fanout::SimNodeState::Up);
}

void tst_Sim::partitionLosesExactly_data()
{
    QTest::addColumn<int>("node");
    QTest::addColumn<quint64>("lost");
    QTest::addRow("a receiving node") << 1 << quint64(100 * 3);
    QTest::addRow("the sender's node") << 0 << quint64(100 * 6);
}

void tst_Sim::partitionLosesExactly()
{
    QFETCH(int, node);
    QFETCH(quint64, lost);
    Scenario scenario = oneRoomFleet(3);
    scenario.steps.push_back({1.0, ScenarioStep::Action::PartitionNode, node, -1, 0});
    scenario.steps.push_back({2.0, ScenarioStep::Action::HealNode, node, -1, 0});
    Simulation simulation(scenario);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    QCOMPARE(lostBy(*result, fanout::LossCause::Partition), lost);
    QCOMPARE(result->totals.lost, lost);
    QCOMPARE(result->totals.delivered, 2700u - lost);
    QCOMPARE(result->totals.duplicates, 0u);
}

void tst_Sim::slowClientDropsPastItsLimit()
{
    Scenario scenario = oneRoomFleet(2);
    scenario.slowPolicy = Scenario::SlowPolicy::Drop;
    scenario.slowQueueLimit = 20;
    scenario.slowDrainRate = 10; // one message every 10 ticks while it has any queued
    scenario.steps.push_back({0, ScenarioStep::Action::SlowClient, -1, 4, 0});
    Simulation simulation(scenario);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    // 200 arrivals; the queue fills to 20 by tick 21 and then frees one slot every 10 ticks:
    // 19 consumed during traffic, 10 more during the 1 s settle, 10 still queued at the end.
    QCOMPARE(simulation.deliveredTo(4), 29u);
    QCOMPARE(simulation.lostBy(4), 171u);
    QCOMPARE(result->slowDrops, 161u);
    QCOMPARE(lostBy(*result, fanout::LossCause::SlowClient), 171u);
    QCOMPARE(result->totals.lost, 171u);
    QCOMPARE(result->totals.duplicates, 0u);
    for (int c = 0; c < 9; ++c) {
        if (c != 4)
            QCOMPARE(simulation.deliveredTo(c), 200u);
    }
}

void tst_Sim::slowClientDisconnectPolicy()
{
    Scenario scenario = oneRoomFleet(3);
    scenario.slowPolicy = Scenario::SlowPolicy::Disconnect;
    scenario.slowQueueLimit = 20;
    scenario.slowDrainRate = 10;
    scenario.steps.push_back({0, ScenarioStep::Action::SlowClient, -1, 4, 0});
    Simulation simulation(scenario);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    QVERIFY(result->slowDisconnects >= 1);
    QCOMPARE(result->totals.lost, lostBy(*result, fanout::LossCause::SlowClient));
    QCOMPARE(simulation.lostBy(4), result->totals.lost);
    QCOMPARE(simulation.deliveredTo(4) + simulation.lostBy(4), 300u);
    QCOMPARE(result->totals.duplicates, 0u);
    QCOMPARE(lostBy(*result, fanout::LossCause::Unexplained), 0u);
}

void tst_Sim::realClientSeesWhatVirtualMembersSee()
{
    Scenario scenario = oneRoomFleet(1);
    scenario.publishRate = 50;
    Simulation simulation(scenario);
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    TestClient real;
    QUrl url = simulation.nodeUrl(2);
    url.setQuery(QStringLiteral("room=room-0"));
    QVERIFY(real.open(url));
    QTRY_COMPARE(simulation.snapshot().roomMembers[2], 1); // virtual clients connect with run()
    QSignalSpy started(&simulation, &Simulation::started);
    QSignalSpy finished(&simulation, &Simulation::finished);
    simulation.run();
    QVERIFY(started.wait(10000));
    QCOMPARE(simulation.snapshot().roomMembers[2], 4); // three virtual members and the real one
    QVERIFY(finished.wait(10000));
    const auto result = finished.first().first().value<SimSnapshot>();
    QCOMPARE(result.totals.lost, 0u);
    QCOMPARE(simulation.deliveredTo(2), 50u);
    QTRY_COMPARE(real.messages().size(), 50);
    // Each payload names its sender and its place among the sender's messages, padded to size.
    for (int i = 0; i < real.messages().size(); ++i) {
        const QString message = real.messages().at(i);
        QVERIFY2(message.startsWith(QStringLiteral("\"v0 #%1 x").arg(i + 1)), qPrintable(message));
        QCOMPARE(message.size(), scenario.payloadBytes);
    }
    QCOMPARE(result.totals.foreignDeliveries, 0u);
}

void tst_Sim::tracesFollowMessages()
{
    Scenario scenario = oneRoomFleet(1);
    Simulation simulation(scenario);
    const auto result = runToEnd(simulation);
    QVERIFY(result);
    const auto traces = simulation.latestTraces(10);
    QCOMPARE(traces.size(), size_t(10));
    QCOMPARE(traces.back().sequence, result->totals.published); // one sender: its count is everyone's
    for (const auto &trace : traces) {
        QCOMPARE(trace.channel, QByteArray("ws:room:room-0"));
        QCOMPARE(trace.origin, QStringLiteral("sim-0"));
        QCOMPARE(trace.sender, 0);
        QCOMPARE(trace.expected, 9u);
        QCOMPARE(trace.delivered, 9u);
        QCOMPARE(trace.sessions.size(), size_t(9));
        QCOMPARE(trace.nodes.size(), size_t(3));
        quint64 handed = 0;
        for (const auto &hop : trace.nodes) {
            QVERIFY(hop.atNs >= trace.publishedNs);
            handed += hop.sessions;
        }
        QCOMPARE(handed, 9u);
        const auto found = simulation.trace(trace.key);
        QVERIFY(found);
        QCOMPARE(found->id, trace.id);
    }
}

void tst_Sim::virtualClientsHearUserJoined_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addRow("in-process") << false;
    QTest::addRow("redis") << true;
}

void tst_Sim::virtualClientsHearUserJoined()
{
    // Clients join through ClientProtocol, which tells the room with user_joined. Pub/sub
    // reaches only the nodes subscribed when the event is published: node n subscribes when its
    // first client (client n, round robin) joins, so on the in-process bus the members of node
    // n hear every join but those of clients 0..n-1. On Redis the subscribes and the publishes
    // travel on different connections, so any number up to all of them may be heard.
    QFETCH(bool, redis);
    Simulation simulation(oneRoomFleet(0.5));
    const auto result = runToEnd(simulation, redis ? m_redis.urlString() : QString(), redis ? 1.0 : 0);
    QVERIFY(result);
    quint64 heard = 0;
    for (int client = 0; client < 9; ++client) {
        heard += simulation.eventsReceivedBy(client);
        if (!redis)
            QCOMPARE(simulation.eventsReceivedBy(client), quint64(9 - client % 3));
    }
    QVERIFY(heard <= 81);
    if (!redis)
        QCOMPARE(result->eventDeliveries, 0u); // the joins were set-up, not the run
    QCOMPARE(result->protocolErrors, 0u);
    QCOMPARE(result->totals.lost, 0u);
    QCOMPARE(result->socketDeliveries, result->totals.delivered);
}

void tst_Sim::virtualClientMeetsTheRoomCap()
{
    // The same pieces a simulation wires: a node, its protocol, a virtual client.
    fanout::InProcessBus bus;
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("cap")),
                      new fanout::InProcessBroker(&bus, QStringLiteral("cap")));
    fanout::ClientProtocol protocol(node);
    fanout::FaultTimeline timeline;
    fanout::TraceBuffer traces;
    fanout::DeliveryLedger ledger(timeline, traces);
    ledger.resizeClients(1);
    fanout::VirtualClient client(0, {}, ledger);
    protocol.opened(&client);
    const qsizetype cap = fanout::ClientProtocol::MaxRoomsPerSession;
    for (qsizetype room = 0; room <= cap; ++room)
        protocol.textReceived(&client, R"({"type":"join","room":"r)" + QByteArray::number(room) + R"("})");
    QCOMPARE(node.roomCountOf(&client), cap);
    QCOMPARE(client.errorsReceived(), 1u);
    QVERIFY(client.lastError().contains(R"("code":"too_many_rooms")"));
    protocol.closed(&client);
}

void tst_Sim::consoleAnswersTheSameOnBothBrokers()
{
    const QStringList commands {"PUBSUB CHANNELS ws:room:*", "PUBSUB NUMSUB ws:room:room-0 ws:room:nope",
                                "PUBLISH ws:room:none x", "PUBSUB NUMPAT"};
    QStringList answers[2];
    for (int broker = 0; broker < 2; ++broker) {
        Simulation simulation(oneRoomFleet(1));
        QString error;
        QVERIFY2(simulation.setUp(broker ? m_redis.urlString() : QString(), &error), qPrintable(error));
        QSignalSpy started(&simulation, &Simulation::started);
        simulation.step(); // connects the clients, waits for every subscription, runs one tick
        QVERIFY(started.wait(10000));
        QCOMPARE(simulation.console()->writesAllowed(), broker == 0); // read-only on a real Redis
        simulation.console()->setWritesAllowed(true);
        QSignalSpy answered(simulation.console(), &fanout::RedisConsole::answered);
        for (const QString &command : commands) {
            simulation.console()->execute(command);
            QTRY_COMPARE(answered.size(), int(answers[broker].size()) + 1);
            answers[broker].append(answered.last().at(1).toString());
        }
    }
    QCOMPARE(answers[0], answers[1]);
    QCOMPARE(answers[0].at(1),
             QStringLiteral("1) \"ws:room:room-0\"\n2) (integer) 3\n3) \"ws:room:nope\"\n4) (integer) 0"));
}

void tst_Sim::scenarioErrorsSayWhere_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::addRow("syntax") << QByteArray("{\n  \"nodes\": 3,\n  oops\n}") << "test.json:3:";
    QTest::addRow("not an object") << QByteArray("[1]") << "a scenario is a JSON object";
    QTest::addRow("unknown field") << QByteArray(R"({"nodez": 3})") << "nodez: unknown field";
    QTest::addRow("wrong type") << QByteArray(R"({"nodes": "three"})") << "nodes: must be a number";
    QTest::addRow("out of range") << QByteArray(R"({"nodes": 0})") << "nodes: 0 is out of range";
    QTest::addRow("fraction") << QByteArray(R"({"clients": 2.5})") << "clients: must be a whole number";
    QTest::addRow("bad choice") << QByteArray(R"({"popularity": "viral"})") << "popularity: \"viral\" is not one of";
    QTest::addRow("rooms per client") << QByteArray(R"({"rooms": 2, "rooms_per_client": 3})")
                                      << "rooms_per_client: is larger than rooms";
    QTest::addRow("typed-mode room cap") << QByteArray(R"({"rooms": 200, "rooms_per_client": 101})")
                                         << "rooms_per_client: 101 is out of range";
    QTest::addRow("bad action") << QByteArray(R"({"steps": [{"at": 1, "action": "explode"}]})")
                                << "steps[0].action: \"explode\" is not one of";
    QTest::addRow("node out of range") << QByteArray(
        R"({"nodes": 3, "steps": [{"at": 1, "action": "kill_node", "node": 5}]})")
                                       << "steps[0].node: 5 is out of range";
    QTest::addRow("missing node") << QByteArray(R"({"steps": [{"at": 1, "action": "kill_node"}]})")
                                  << "steps[0].node: kill_node needs a node index";
    QTest::addRow("missing at") << QByteArray(R"({"steps": [{"action": "broker_down"}]})") << "steps[0].at/action";
}

void tst_Sim::scenarioErrorsSayWhere()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!Scenario::fromJson(json, QStringLiteral("test.json"), &error));
    QVERIFY2(error.startsWith(QLatin1String("test.json")), qPrintable(error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void tst_Sim::builtinScenariosLoad()
{
    const QStringList expected {"amplification", "basics",       "durable-vs-fireforget", "hot-room",
                                "node-failure",  "redis-outage", "slow-consumer",         "users-presence"};
    QCOMPARE(Scenario::builtinNames(), expected);
    for (const QString &name : expected) {
        QString error;
        const auto scenario = Scenario::load(name, &error);
        QVERIFY2(scenario, qPrintable(error));
        QCOMPARE(scenario->name, name);
        QVERIFY(!scenario->description.isEmpty());
        // The summary is what lists show: one line.
        QVERIFY(!scenario->summary.isEmpty());
        QVERIFY(!scenario->summary.contains(QLatin1Char('\n')));
        QVERIFY2(scenario->summary.size() <= 160, qPrintable(name));
    }
    QString error;
    QVERIFY(!Scenario::load(QStringLiteral("no-such"), &error));
    QVERIFY(error.contains(QLatin1String("basics")));
}

void tst_Sim::headlessRunner_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output");
    QTest::addRow("report") << QStringList {"--headless", "--scenario", "node-failure", "--seconds",
                                            "4",          "--report",   "%REPORT%"}
                            << 0 << "published";
    QTest::addRow("unknown scenario") << QStringList {"--headless", "--scenario", "nope"} << 2
                                      << "no built-in scenario \"nope\"";
    QTest::addRow("bad file") << QStringList {"--headless", "--scenario", "%BADFILE%"} << 2 << "bad.json:1:";
    QTest::addRow("bad seconds") << QStringList {"--headless", "--seconds", "-1"} << 2 << "--seconds";
    QTest::addRow("bad broker") << QStringList {"--headless", "--broker", "http://x"} << 2 << "--broker";
    QTest::addRow("help names the program") << QStringList {"--help"} << 0 << "Usage: " FANOUT_STUDIO_PATH " [options]";
    QTest::addRow("scenario list") << QStringList {"--list-scenarios"} << 0
                                   << "node-failure           node 1 dies at 3 s: its clients re-home after 500 ms";
    QTest::addRow("unwritable report") << QStringList {"--headless", "--seconds", "0.5", "--report",
                                                       "/nonexistent/dir/r.json"}
                                       << 1 << "cannot write";
}

void tst_Sim::headlessRunner()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, output);
    QTemporaryDir dir;
    const QString report = dir.filePath(QStringLiteral("report.json"));
    const QString badFile = dir.filePath(QStringLiteral("bad.json"));
    QFile bad(badFile);
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{nope");
    bad.close();
    arguments.replaceInStrings(QStringLiteral("%REPORT%"), report);
    arguments.replaceInStrings(QStringLiteral("%BADFILE%"), badFile);
    QProcess process;
    process.start(QStringLiteral(FANOUT_STUDIO_PATH), arguments);
    QVERIFY(process.waitForFinished(30000));
    const QString printed = QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    QCOMPARE(process.exitCode(), exitCode);
    QVERIFY2(printed.contains(output), qPrintable(printed));
    if (exitCode != 0 || !arguments.contains(QStringLiteral("--report")))
        return;
    QFile file(report);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    for (const char *key : {"published", "expected", "delivered", "lost", "duplicates", "lost_by_cause",
                            "amplification", "wasted_node_deliveries", "latency_ms", "nodes"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    QCOMPARE(json.value("nodes").toArray().size(), 3);
    const QJsonObject node = json.value("nodes").toArray().first().toObject();
    for (const char *key : {"id", "clients", "rooms", "subscriptions", "received", "delivered", "wasted"})
        QVERIFY2(node.contains(QLatin1String(key)), key);
    for (const char *key : {"p50", "p99", "max"})
        QVERIFY(json.value("latency_ms").toObject().contains(QLatin1String(key)));
    QVERIFY(json.value("lost_by_cause").toObject().value("node_down").toDouble() > 0);
    QCOMPARE(json.value("duplicates").toDouble(), 0.0);
    QCOMPARE(json.value("delivered").toDouble() + json.value("lost").toDouble(), json.value("expected").toDouble());
}

QTEST_GUILESS_MAIN(tst_Sim)
#include "tst_sim.moc"
