#include "builtinscenario.h"
#include "mainwindow.h"
#include "models/nodetablemodel.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "simulationcontroller.h"
#include "testclient.h"
#include "widgets/fleetdialog.h"
#include "windowtesting.h"

#include <QAction>
#include <QApplication>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

using fanout::Scenario;
using fanout::SimPhase;
using fanout::SimSnapshot;
using windowtesting::whenNextModal;

namespace {

QAction *action(const QWidget &window, const char *name)
{
    auto *found = window.findChild<QAction *>(QLatin1String(name));
    if (!found)
        qFatal("no action %s", name);
    return found;
}

QString traceHint(const QWidget &window)
{
    const auto *hint = window.findChild<QLabel *>(QStringLiteral("traceHint"));
    return hint ? hint->text() : QStringLiteral("<no trace hint>");
}

int tracePathItems(const QWidget &window)
{
    const auto *path = window.findChild<QTreeWidget *>(QStringLiteral("tracePath"));
    return path ? path->topLevelItemCount() : -1;
}

void followNext(const QWidget &window)
{
    auto *follow = window.findChild<QPushButton *>(QStringLiteral("followNext"));
    QVERIFY(follow);
    follow->click();
    QCOMPARE(traceHint(window), QStringLiteral("Waiting for the next message..."));
}

/// Answers the next QInputDialog with the first of its items that starts with `prefix`, and
/// keeps every item it offered in *offered.
void chooseNextItem(QObject *owner, const QString &prefix, QStringList *offered)
{
    whenNextModal<QInputDialog>(owner, [prefix, offered](QInputDialog *dialog) {
        *offered = dialog->comboBoxItems();
        for (const QString &item : std::as_const(*offered)) {
            if (item.startsWith(prefix)) {
                dialog->setTextValue(item);
                dialog->accept();
                return;
            }
        }
        dialog->reject();
    });
}

bool isFollowed(const QWidget &window)
{
    return traceHint(window).startsWith(QLatin1String("Message "));
}

}

class tst_StudioFlow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void followResolvesAfterTheNextPublish_data();
    void followResolvesAfterTheNextPublish();
    void runGoesOnUntilStopped();
    void runAfterFinishedStartsAgain();
    void nodePortsSurviveReset();
    void eventLogTellsOnlyTrueTransitions_data();
    void eventLogTellsOnlyTrueTransitions();
    void eventLogDescribesTheChangedFleet();
    void externalClientIsCounted();
    void slowClientsAreChosenFromAListAndShown();
};

void tst_StudioFlow::initTestCase()
{
    windowtesting::useOwnSettings("StudioFlow");
}

void tst_StudioFlow::followResolvesAfterTheNextPublish_data()
{
    QTest::addColumn<bool>("afterReset");
    QTest::addColumn<bool>("stepped");
    QTest::newRow("running at 1x") << false << false;
    QTest::newRow("after reset") << true << false;
    QTest::newRow("paused and stepped") << false << true;
}

void tst_StudioFlow::followResolvesAfterTheNextPublish()
{
    QFETCH(bool, afterReset);
    QFETCH(bool, stepped);
    MainWindow window;
    window.show();
    SimulationController *controller = window.controller();
    controller->setSpeed(1.0);
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 1.0, 10000);
    if (afterReset) {
        // A followed message of the first run, then Reset: its path must go, and the next run's
        // messages (whose clock starts again at zero) must be followed.
        followNext(window);
        QTRY_VERIFY_WITH_TIMEOUT(isFollowed(window), 2000);
        QVERIFY(tracePathItems(window) > 0);
        action(window, "actionReset")->trigger();
        QTRY_COMPARE(tracePathItems(window), 0);
        QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().phase == SimPhase::Running
                                     && controller->lastSnapshot().simSeconds > 0.5,
                                 10000);
    }
    if (stepped) {
        action(window, "actionPause")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().phase, SimPhase::Paused, 5000);
    }
    followNext(window);
    if (stepped) {
        // One message per tick: the one published by a step is settled by the next.
        for (int i = 0; i < 5 && !isFollowed(window); ++i) {
            const double before = controller->lastSnapshot().simSeconds;
            action(window, "actionStep")->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > before, 2000);
        }
        QVERIFY2(isFollowed(window), qPrintable(traceHint(window)));
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(isFollowed(window), 2000);
    }
    QVERIFY(tracePathItems(window) > 0);
    const auto *path = window.findChild<QTreeWidget *>(QStringLiteral("tracePath"));
    QVERIFY2(path->topLevelItem(0)->text(0).contains(QLatin1String("published by")),
             qPrintable(path->topLevelItem(0)->text(0)));
}

void tst_StudioFlow::runGoesOnUntilStopped()
{
    MainWindow window;
    window.show();
    QAction *untilStopped = action(window, "actionRunUntilStopped");
    untilStopped->setChecked(true);
    SimulationController *controller = window.controller();
    controller->setSpeed(0);
    Scenario s = builtinScenario(QStringLiteral("basics"));
    s.seconds = 1;
    window.startScenario(s);
    // Past the scenario's second and its settle window, traffic goes on at the scenario's rate.
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 4.0, 20000);
    const SimSnapshot going = controller->lastSnapshot();
    QCOMPARE(going.phase, SimPhase::Running);
    QVERIFY2(going.totals.published > 300, qPrintable(QString::number(going.totals.published)));
    QTRY_VERIFY(controller->lastSnapshot().totals.published > going.totals.published);

    // Unchecked mid-run, it stops: what was published so far settles, and the run finishes.
    untilStopped->setChecked(false);
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().phase, SimPhase::Finished, 10000);
    const SimSnapshot last = controller->lastSnapshot();
    QCOMPARE(last.totals.delivered + last.totals.lost, last.totals.expected);
    QCOMPARE(last.totals.lateDeliveries, 0u);
}

void tst_StudioFlow::runAfterFinishedStartsAgain()
{
    MainWindow window;
    window.show();
    action(window, "actionRunUntilStopped")->setChecked(false);
    SimulationController *controller = window.controller();
    controller->setSpeed(1.0);
    Scenario s = builtinScenario(QStringLiteral("basics"));
    s.seconds = 0.5;
    window.startScenario(s);
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().phase, SimPhase::Finished, 10000);
    const double finishedAt = controller->lastSnapshot().simSeconds;
    QVERIFY(finishedAt >= 1.5); // the traffic and the settle window

    action(window, "actionRun")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().phase != SimPhase::Finished
                                 && controller->lastSnapshot().simSeconds < finishedAt,
                             10000);
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().phase, SimPhase::Finished, 10000);
    QVERIFY(controller->lastSnapshot().totals.published > 0);
}

void tst_StudioFlow::nodePortsSurviveReset()
{
    MainWindow window;
    window.show();
    SimulationController *controller = window.controller();
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().phase == SimPhase::Running, 10000);
    QList<QUrl> before;
    for (const fanout::SimNodeSnapshot &node : controller->lastSnapshot().nodes)
        before.append(node.url);
    QCOMPARE(before.size(), 3);

    action(window, "actionReset")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().phase == SimPhase::Running, 10000);
    QList<QUrl> after;
    for (const fanout::SimNodeSnapshot &node : controller->lastSnapshot().nodes)
        after.append(node.url);
    QCOMPARE(after, before);
    // The copied URL leads to the new node: a real client joins a room there and hears it.
    TestClient client;
    QUrl url = before.at(1);
    url.setQuery(QStringLiteral("room=room-0"));
    QVERIFY(client.open(url));
    QTRY_VERIFY_WITH_TIMEOUT(!client.messages().isEmpty(), 5000);
}

void tst_StudioFlow::eventLogTellsOnlyTrueTransitions_data()
{
    using Action = fanout::ScenarioStep::Action;
    QTest::addColumn<int>("fault");
    QTest::addColumn<int>("repair");
    QTest::addColumn<QStringList>("expected"); ///< the events after the fault, in order
    QTest::newRow("partition and heal") << int(Action::PartitionNode) << int(Action::HealNode)
                                        << QStringList {"sim-1 partitioned from the broker",
                                                        "sim-1 lost the broker: local-only delivery", "sim-1 healed",
                                                        "sim-1 connected to the broker and resubscribed its rooms"};
    QTest::newRow("broker down and up") << int(Action::BrokerDown) << int(Action::BrokerUp)
                                        << QStringList {"broker down",
                                                        "sim-0 lost the broker: local-only delivery",
                                                        "sim-1 lost the broker: local-only delivery",
                                                        "sim-2 lost the broker: local-only delivery",
                                                        "broker up",
                                                        "sim-0 connected to the broker and resubscribed its rooms",
                                                        "sim-1 connected to the broker and resubscribed its rooms",
                                                        "sim-2 connected to the broker and resubscribed its rooms"};
    QTest::newRow("kill and restart") << int(Action::KillNode) << int(Action::RestartNode)
                                      << QStringList {"sim-1 killed: its clients reconnect in 500 ms",
                                                      "sim-1 restarted as sim-1-r2",
                                                      "sim-1-r2 connected to the broker and resubscribed its rooms"};
}

void tst_StudioFlow::eventLogTellsOnlyTrueTransitions()
{
    QFETCH(int, fault);
    QFETCH(int, repair);
    QFETCH(QStringList, expected);
    Scenario s = builtinScenario(QStringLiteral("basics"));
    s.seconds = 2;
    s.steps
        = {{0.5, fanout::ScenarioStep::Action(fault), 1, -1, 0}, {1.0, fanout::ScenarioStep::Action(repair), 1, -1, 0}};
    fanout::Simulation simulation(s);
    QStringList events;
    connect(&simulation, &fanout::Simulation::eventLogged, this,
            [&events](double, const QString &text) { events.append(text); });
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    QSignalSpy finished(&simulation, &fanout::Simulation::finished);
    simulation.setSpeed(0);
    simulation.run();
    QVERIFY(finished.wait(20000));
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.takeLast(), QStringLiteral("finished"));
    QCOMPARE(events, expected);
    // Nodes are named as the tables name them, never by their index.
    for (const QString &event : std::as_const(events))
        QVERIFY2(!event.contains(QRegularExpression(QStringLiteral("\\bnode \\d"))), qPrintable(event));
}

void tst_StudioFlow::eventLogDescribesTheChangedFleet()
{
    const Scenario basics = builtinScenario(QStringLiteral("basics"));
    QVERIFY(basics.description.startsWith(QLatin1String("Three nodes")));
    FleetDialog dialog(basics, QString());
    const QList<QSpinBox *> boxes = dialog.findChildren<QSpinBox *>();
    QVERIFY(!boxes.isEmpty());
    boxes.first()->setValue(5); // nodes
    const Scenario changed = dialog.scenario();
    QCOMPARE(changed.nodes, 5);

    MainWindow window;
    window.startScenario(changed);
    const auto *log = window.findChild<QListView *>(QStringLiteral("eventView"));
    QVERIFY(log && log->model()->rowCount() > 0);
    const QString first = log->model()->index(0, 0).data().toString();
    QVERIFY2(first.contains(QLatin1String("5 nodes, 30 clients, 3 rooms")), qPrintable(first));
    QVERIFY2(!first.contains(QLatin1String("Three nodes")), qPrintable(first));
}

void tst_StudioFlow::externalClientIsCounted()
{
    // No virtual traffic: whatever is published comes from the real client.
    Scenario s = builtinScenario(QStringLiteral("basics"));
    s.publishRate = 0;
    fanout::Simulation simulation(s);
    simulation.setRunsUntilStopped(true);
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    QSignalSpy started(&simulation, &fanout::Simulation::started);
    simulation.setSpeed(1);
    simulation.run();
    QVERIFY(started.wait(10000));
    const SimSnapshot before = simulation.snapshot();
    const int virtualOnNode1 = before.nodes.at(1).clients;

    TestClient real;
    QUrl url = simulation.nodeUrl(1);
    url.setQuery(QStringLiteral("room=room-0"));
    QVERIFY(real.open(url));
    QTRY_COMPARE(simulation.snapshot().nodes.at(1).clients, virtualOnNode1 + 1);
    QCOMPARE(simulation.snapshot().nodes.at(1).externalClients, 1);

    real.send(QStringLiteral(R"({"from":"wscat"})"));
    QTRY_COMPARE(real.messages().size(), 1); // the sender is a member too
    // Filed like a virtual publish: its virtual members get it on time, nothing is "late".
    QTRY_VERIFY_WITH_TIMEOUT(simulation.snapshot().totals.open == 0, 5000);
    const SimSnapshot after = simulation.snapshot();
    QCOMPARE(after.totals.published, before.totals.published + 1);
    QVERIFY(after.totals.expected - before.totals.expected > 0);
    QCOMPARE(after.totals.delivered - before.totals.delivered, after.totals.expected - before.totals.expected);
    QCOMPARE(after.totals.lateDeliveries, 0u);
    QCOMPARE(after.totals.foreignDeliveries, 0u);
    QCOMPARE(after.totals.lost, 0u);
    const auto traces = simulation.latestTraces(1);
    QCOMPARE(traces.size(), size_t(1));
    QCOMPARE(traces.front().sender, -1);
    QCOMPARE(traces.front().origin, QStringLiteral("sim-1"));
    QCOMPARE(traces.front().delivered, traces.front().expected);

    real.close();
    QTRY_COMPARE(simulation.snapshot().nodes.at(1).externalClients, 0);
}

void tst_StudioFlow::slowClientsAreChosenFromAListAndShown()
{
    MainWindow window;
    window.show();
    SimulationController *controller = window.controller();
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().phase == SimPhase::Running, 10000);

    QStringList offered;
    chooseNextItem(this, QStringLiteral("v4 "), &offered);
    action(window, "actionSlowClient")->trigger();
    QCOMPARE(offered.size(), 30); // every client: id, node and rooms
    QVERIFY2(offered.at(4).contains(QRegularExpression(QStringLiteral("^v4 on sim-\\d in room-\\d$"))),
             qPrintable(offered.at(4)));
    const auto slowOn = [controller] {
        for (const fanout::SimNodeSnapshot &node : controller->lastSnapshot().nodes) {
            if (node.slowClients == std::vector<int> {4})
                return node.index;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(slowOn() >= 0, 5000);
    const auto *nodeView = window.findChild<QTableView *>(QStringLiteral("nodeView"));
    QVERIFY(nodeView);
    QTRY_COMPARE(nodeView->model()->index(slowOn(), NodeTableModel::Slow).data().toString(), QStringLiteral("v4"));

    // Making it fast again offers the slow ones only, marked.
    chooseNextItem(this, QStringLiteral("v4 "), &offered);
    action(window, "actionFastClient")->trigger();
    QCOMPARE(offered.size(), 1);
    QVERIFY2(offered.first().contains(QLatin1String("slow")), qPrintable(offered.first()));
    QTRY_VERIFY_WITH_TIMEOUT(slowOn() < 0, 5000);
}

QTEST_MAIN(tst_StudioFlow)
#include "tst_studioflow.moc"
