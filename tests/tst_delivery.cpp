#include "redisserver.h"
#include "sim/deliveryledger.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/simulationset.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using fanout::DeliveryLedger;
using fanout::LossCause;
using fanout::Scenario;
using fanout::ScenarioStep;
using fanout::SimSnapshot;
using fanout::SimulationSet;

namespace {

/// One room, three nodes, nine clients placed round robin (clients 1, 4, 7 on node 1), one
/// sender (client 0, on node 0), one message per 10 ms tick. Nodes hold parked publishes.
Scenario oneRoomFleet(Scenario::Delivery delivery, double seconds)
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
    s.offlineQueue = 10000;
    s.delivery = delivery;
    return s;
}

/// Runs every fleet of `scenario` to its end at `speed` (0: back to back, in-process only);
/// their last snapshots, in fleet order.
std::optional<std::vector<SimSnapshot>> runFleets(const Scenario &scenario, const QString &redisUrl, double speed)
{
    SimulationSet fleets(scenario);
    QString error;
    if (!fleets.setUp(redisUrl, &error)) {
        qWarning("%s", qPrintable(error));
        return std::nullopt;
    }
    QSignalSpy finished(&fleets, &SimulationSet::finished);
    fleets.setSpeed(speed);
    fleets.run();
    const int budgetMs = int((scenario.seconds * 1000 + scenario.settleMs) * 3) + 15000;
    if (!finished.wait(budgetMs))
        return std::nullopt;
    std::vector<SimSnapshot> snapshots;
    for (int i = 0; i < fleets.count(); ++i)
        snapshots.push_back(fleets.finalSnapshot(i));
    return snapshots;
}

quint64 lostBy(const SimSnapshot &s, LossCause cause)
{
    return s.totals.lostByCause[size_t(cause)];
}

/// Every expected delivery is accounted for once: delivered (on time or recovered) or lost.
void checkBalanced(const SimSnapshot &s)
{
    QCOMPARE(s.totals.open, 0u);
    QCOMPARE(s.totals.delivered + s.totals.lost, s.totals.expected);
    QCOMPARE(s.totals.duplicates, 0u);
    QCOMPARE(s.totals.foreignDeliveries, 0u);
    QVERIFY(s.totals.recovered <= s.totals.delivered);
}

}

class tst_Delivery : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void ledgerTellsOnTimeRecoveredAndLost();
    void scenarioDeliveryModes_data();
    void scenarioDeliveryModes();
    void streamsRecoverEveryFault_data();
    void streamsRecoverEveryFault();
    void pubsubLosesWhatACutSubscriptionMissed_data();
    void pubsubLosesWhatACutSubscriptionMissed();
    void durableVersusFireAndForget_data();
    void durableVersusFireAndForget();
    void headlessReportHasBothFleets();
    void directMessagesAreAccounted_data();
    void directMessagesAreAccounted();
    void presenceOfAKilledNodeExpires();

private:
    RedisServer m_redis;
};

void tst_Delivery::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Delivery::ledgerTellsOnTimeRecoveredAndLost()
{
    fanout::FaultTimeline timeline;
    timeline.resize(1, 4);
    fanout::TraceBuffer traces;
    DeliveryLedger ledger(timeline, traces);
    ledger.resizeClients(4);
    const int origin = ledger.registerOrigin(QStringLiteral("n"), 0);
    const quint64 key = DeliveryLedger::makeKey(origin, 1);
    ledger.recordPublish(key, 0, 0, QStringLiteral("n"), 1, "ch", {0, 1, 2, 3}, 0, 0);

    ledger.delivered(key, 0, ledger.nowNs());
    ledger.delivered(key, 1, ledger.nowNs(), DeliveryLedger::Arrival::FromHistory);
    ledger.settle(100, 100);
    auto totals = ledger.totals();
    QCOMPARE(totals.delivered, 2u);
    QCOMPARE(totals.recovered, 1u);
    QCOMPARE(totals.lost, 2u);
    QCOMPARE(totals.open, 0u);

    ledger.delivered(key, 3, ledger.nowNs()); // after the settle window: taken back from lost
    totals = ledger.totals();
    QCOMPARE(totals.delivered, 3u);
    QCOMPARE(totals.recovered, 2u);
    QCOMPARE(totals.lost, 1u);
    QCOMPARE(totals.lostByCause[size_t(LossCause::NodeDown)], 1u); // nobody placed the clients
    QCOMPARE(ledger.lostBy(3), 0u);
    QCOMPARE(ledger.deliveredTo(3), 1u);
    QCOMPARE(ledger.lostBy(2), 1u);

    ledger.delivered(key, 3, ledger.nowNs()); // once more: not a second recovery
    ledger.delivered(key, 0, ledger.nowNs()); // reached on time already
    totals = ledger.totals();
    QCOMPARE(totals.delivered, 3u);
    QCOMPARE(totals.lateDeliveries, 2u);
}

void tst_Delivery::scenarioDeliveryModes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("fleets"); // empty: an error containing `error`
    QTest::addColumn<QString>("error");
    QTest::addRow("default") << QByteArray("{}") << QStringList {""} << QString();
    QTest::addRow("streams") << QByteArray(R"({"delivery": "streams", "history_size": 50})") << QStringList {""}
                             << QString();
    QTest::addRow("both") << QByteArray(R"({"delivery": "both"})") << QStringList {"pubsub", "streams"} << QString();
    QTest::addRow("unknown mode") << QByteArray(R"({"delivery": "kafka"})") << QStringList {}
                                  << "delivery: \"kafka\" is not one of pubsub, streams, both";
    QTest::addRow("no history") << QByteArray(R"({"history_size": 0})") << QStringList {}
                                << "history_size: 0 is out of range";
    QTest::addRow("cut without node") << QByteArray(R"({"steps": [{"at": 1, "action": "cut_subscription"}]})")
                                      << QStringList {} << "steps[0].node: cut_subscription needs a node index";
}

void tst_Delivery::scenarioDeliveryModes()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, fleets);
    QFETCH(QString, error);
    QString problem;
    const std::optional<Scenario> scenario = Scenario::fromJson(json, QStringLiteral("t.json"), &problem);
    if (fleets.isEmpty()) {
        QVERIFY(!scenario);
        QVERIFY2(problem.contains(error), qPrintable(problem));
        return;
    }
    QVERIFY2(scenario, qPrintable(problem));
    QStringList names;
    for (const Scenario &fleet : scenario->fleets()) {
        names.append(fleet.fleet);
        QVERIFY(fleet.delivery != Scenario::Delivery::Both);
    }
    QCOMPARE(names, fleets);
}

void tst_Delivery::streamsRecoverEveryFault_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addColumn<ScenarioStep::Action>("fault");
    QTest::addColumn<ScenarioStep::Action>("repair");
    QTest::addColumn<int>("node");
    const struct {
        const char *name;
        ScenarioStep::Action fault;
        ScenarioStep::Action repair;
        int node;
    } faults[] = {
        // Its own repair: the connection comes back by itself; a second cut tests that too.
        {"subscription cut twice", ScenarioStep::Action::CutSubscription, ScenarioStep::Action::CutSubscription, 1},
        {"broker outage", ScenarioStep::Action::BrokerDown, ScenarioStep::Action::BrokerUp, -1},
        {"receiver partitioned", ScenarioStep::Action::PartitionNode, ScenarioStep::Action::HealNode, 1},
        {"sender partitioned", ScenarioStep::Action::PartitionNode, ScenarioStep::Action::HealNode, 0},
    };
    for (const bool redis : {false, true}) {
        for (const auto &f : faults)
            QTest::addRow("%s, %s", redis ? "redis" : "in-process", f.name) << redis << f.fault << f.repair << f.node;
    }
}

void tst_Delivery::streamsRecoverEveryFault()
{
    QFETCH(bool, redis);
    QFETCH(ScenarioStep::Action, fault);
    QFETCH(ScenarioStep::Action, repair);
    QFETCH(int, node);
    Scenario scenario = oneRoomFleet(Scenario::Delivery::Streams, 3);
    scenario.steps.push_back({1.0, fault, node, -1, 0});
    scenario.steps.push_back({2.0, repair, node, -1, 0});
    // In real time: a killed connection comes back after 100 ms of wall-clock time, which ticks
    // run back to back would not wait for.
    const auto fleets = runFleets(scenario, redis ? m_redis.urlString() : QString(), 1.0);
    QVERIFY(fleets);
    const SimSnapshot &s = fleets->front();
    QCOMPARE(s.delivery, QStringLiteral("streams"));
    checkBalanced(s);
    QCOMPARE(s.totals.lost, 0u);
    QVERIFY(s.totals.published >= 290);
    QVERIFY2(s.totals.recovered > 0, "a fault leaves something to recover");
    QCOMPARE(s.historyLost, 0u);
    QCOMPARE(s.refusedPublishes, 0u);
}

void tst_Delivery::pubsubLosesWhatACutSubscriptionMissed_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addRow("in-process") << false;
    QTest::addRow("redis") << true;
}

void tst_Delivery::pubsubLosesWhatACutSubscriptionMissed()
{
    QFETCH(bool, redis);
    Scenario scenario = oneRoomFleet(Scenario::Delivery::PubSub, 2);
    scenario.steps.push_back({1.0, ScenarioStep::Action::CutSubscription, 1, -1, 0});
    fanout::Simulation simulation(scenario);
    QString error;
    QVERIFY2(simulation.setUp(redis ? m_redis.urlString() : QString(), &error), qPrintable(error));
    QSignalSpy finished(&simulation, &fanout::Simulation::finished);
    QSignalSpy events(&simulation, &fanout::Simulation::eventLogged);
    simulation.setSpeed(1.0); // the reconnect takes 100 ms of wall-clock time: let ticks pass meanwhile
    simulation.run();
    QVERIFY(finished.wait(20000));
    const SimSnapshot s = simulation.snapshot();
    checkBalanced(s);
    QVERIFY2(s.totals.lost > 0, "the node missed what was published while it resubscribed");
    QCOMPARE(lostBy(s, LossCause::SubscriptionCut), s.totals.lost);
    for (int client = 0; client < 9; ++client) {
        if (client % 3 != 1)
            QCOMPARE(simulation.lostBy(client), 0u);
    }
    QCOMPARE(s.nodes[1].state, fanout::SimNodeState::Up);
    bool logged = false;
    for (const auto &event : events)
        logged = logged || event.at(1).toString().contains(QLatin1String("subscribe connection killed"));
    QVERIFY(logged);
}

void tst_Delivery::durableVersusFireAndForget_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addRow("in-process") << false;
    QTest::addRow("redis") << true;
}

void tst_Delivery::durableVersusFireAndForget()
{
    QFETCH(bool, redis);
    QString error;
    const std::optional<Scenario> scenario = Scenario::load(QStringLiteral("durable-vs-fireforget"), &error);
    QVERIFY2(scenario, qPrintable(error));
    QCOMPARE(scenario->delivery, Scenario::Delivery::Both);
    const auto fleets = runFleets(*scenario, redis ? m_redis.urlString() : QString(), redis ? 1.0 : 0);
    QVERIFY(fleets);
    QCOMPARE(fleets->size(), size_t(2));
    const SimSnapshot &pubsub = fleets->at(0);
    const SimSnapshot &streams = fleets->at(1);
    QCOMPARE(pubsub.delivery, QStringLiteral("pubsub"));
    QCOMPARE(streams.delivery, QStringLiteral("streams"));
    checkBalanced(pubsub);
    checkBalanced(streams);
    // Same seed, traffic and faults: the same messages to the same members.
    QCOMPARE(pubsub.totals.published, streams.totals.published);
    QCOMPARE(pubsub.totals.expected, streams.totals.expected);
    QVERIFY(pubsub.nodes.front().id.startsWith(QLatin1String("pubsub-")));
    QVERIFY(streams.nodes.front().id.startsWith(QLatin1String("streams-")));

    for (const LossCause cause : {LossCause::SubscriptionCut, LossCause::Partition})
        QVERIFY2(lostBy(pubsub, cause) > 0, fanout::lossCauseName(cause));
    // Every node parks what it publishes during the outage and sends it once back and
    // subscribed again, when the others are too: late (recovered), not lost.
    QCOMPARE(lostBy(pubsub, LossCause::BrokerDown), 0u);
    QVERIFY(pubsub.totals.recovered > 0);
    QCOMPARE(streams.totals.lost, 0u);
    QVERIFY(streams.totals.recovered > 0);
    QVERIFY(streams.historyDeliveries > 0);
}

void tst_Delivery::headlessReportHasBothFleets()
{
    QTemporaryDir dir;
    const QString report = dir.filePath(QStringLiteral("report.json"));
    QProcess process;
    process.start(QStringLiteral(FANOUT_STUDIO_PATH),
                  {"--headless", "--scenario", "durable-vs-fireforget", "--seconds", "3", "--report", report});
    QVERIFY(process.waitForFinished(60000));
    const QString printed = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(printed.contains(QLatin1String("streams: published")), qPrintable(printed));
    QFile file(report);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(json.value("delivery").toString(), QStringLiteral("both"));
    const QJsonArray fleets = json.value("fleets").toArray();
    QCOMPARE(fleets.size(), 2);
    QStringList modes;
    for (const QJsonValue &fleet : fleets) {
        const QJsonObject object = fleet.toObject();
        modes.append(object.value("delivery").toString());
        for (const char *key : {"on_time", "recovered", "lost", "history_deliveries", "history_lost"})
            QVERIFY2(object.contains(QLatin1String(key)), key);
        QCOMPARE(object.value("on_time").toDouble() + object.value("recovered").toDouble(),
                 object.value("delivered").toDouble());
        QVERIFY(object.value("lost_by_cause").toObject().contains(QLatin1String("subscription_cut")));
    }
    QCOMPARE(modes, (QStringList {"pubsub", "streams"}));
}

void tst_Delivery::directMessagesAreAccounted_data()
{
    QTest::addColumn<bool>("redis");
    QTest::addRow("in-process") << false;
    QTest::addRow("redis") << true;
}

void tst_Delivery::directMessagesAreAccounted()
{
    QFETCH(bool, redis);
    // 12 clients of 4 users on 3 nodes: every user has a tab on every node.
    Scenario scenario = oneRoomFleet(Scenario::Delivery::PubSub, 2);
    scenario.clients = 12;
    scenario.senders = 0;
    scenario.users = 4;
    scenario.directShare = 0.5;
    const auto fleets = runFleets(scenario, redis ? m_redis.urlString() : QString(), redis ? 1.0 : 0);
    QVERIFY(fleets);
    const SimSnapshot &s = fleets->front();
    checkBalanced(s);
    QCOMPARE(s.totals.lost, 0u);
    QCOMPARE(s.refusedPublishes, 0u);
    QCOMPARE(s.protocolErrors, 0u);
    // A room message reaches the room's 12 members, a direct message its user's 3 tabs.
    const quint64 direct = (12 * s.totals.published - s.totals.expected) / 9;
    QVERIFY2(direct > s.totals.published / 4 && direct < s.totals.published * 3 / 4,
             qPrintable(QStringLiteral("%1 direct of %2").arg(direct).arg(s.totals.published)));
    QCOMPARE(s.totals.expected, direct * 3 + (s.totals.published - direct) * 12);
}

void tst_Delivery::presenceOfAKilledNodeExpires()
{
    Scenario scenario = oneRoomFleet(Scenario::Delivery::PubSub, 8);
    scenario.clients = 12;
    scenario.users = 4;
    scenario.presenceTtlSeconds = 4; // entries outlive the kill by 2.6 s at least: time to see Down
    scenario.reconnectDelayMs = 60000; // its clients stay away: only expiry removes their entries
    scenario.steps.push_back({1.0, ScenarioStep::Action::KillNode, 1, -1, 0});
    fanout::Simulation simulation(scenario);
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    simulation.setSpeed(1.0); // entries expire in wall-clock time
    simulation.run();
    const auto onNode = [&simulation](const QString &node) {
        int entries = 0;
        for (const fanout::SimPresenceEntry &entry : simulation.snapshot().presence)
            entries += entry.node == node ? 1 : 0;
        return entries;
    };
    QTRY_COMPARE_WITH_TIMEOUT(onNode(QStringLiteral("sim-0")), 4, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(onNode(QStringLiteral("sim-1")), 4, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(simulation.snapshot().nodes.at(1).state, fanout::SimNodeState::Down, 5000);
    QElapsedTimer sinceKill;
    sinceKill.start();
    QCOMPARE(onNode(QStringLiteral("sim-1")), 4); // the dead node's users are still present...
    // ...until their entries expire: the TTL, plus a refresh period of a surviving node, plus a
    // poll of the watch.
    QTRY_COMPARE_WITH_TIMEOUT(onNode(QStringLiteral("sim-1")), 0, 4000 + 4000 / 3 + 2000);
    QVERIFY2(sinceKill.elapsed() >= 500, "entries went with the node instead of expiring");
    QCOMPARE(onNode(QStringLiteral("sim-0")), 4);
}

QTEST_GUILESS_MAIN(tst_Delivery)
#include "tst_delivery.moc"
