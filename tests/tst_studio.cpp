#include "builtinscenario.h"
#include "mainwindow.h"
#include "models/eventlogmodel.h"
#include "models/nodetablemodel.h"
#include "models/presencetablemodel.h"
#include "models/roommatrixmodel.h"
#include "models/tracelistmodel.h"
#include "redis/redisconnection.h"
#include "redisserver.h"
#include "sim/simulation.h"
#include "simulationcontroller.h"
#include "widgets/comparisonpanel.h"
#include "widgets/timeserieschart.h"
#include "windowtesting.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QGroupBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <array>

using fanout::Scenario;
using fanout::SimSnapshot;
using namespace windowtesting;

class tst_Studio : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelsPassTheModelTester();
    void mainWindowRunsAndAccounts();
    void faultActionsApplyToTheirSubject();
    void sideBySideShowsBothFleets();
    void presenceDockShowsUsersAndExpiry();
    void consoleAnswersLikeRedisCli();
    void consoleIsReadOnlyOnRedisUntilWritesAreConfirmed();
    void screenshotCommand();
};

void tst_Studio::initTestCase()
{
    windowtesting::useOwnSettings("Studio");
}

void tst_Studio::modelsPassTheModelTester()
{
    NodeTableModel nodes;
    RoomMatrixModel rooms;
    EventLogModel events;
    TraceListModel traces;
    QAbstractItemModelTester nodeTester(&nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester roomTester(&rooms, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester eventTester(&events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester traceTester(&traces, QAbstractItemModelTester::FailureReportingMode::QtTest);

    Scenario s = builtinScenario(QStringLiteral("node-failure"));
    s.seconds = 4;
    fanout::Simulation simulation(s);
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    connect(&simulation, &fanout::Simulation::snapshotReady, this, [&](const SimSnapshot &snapshot) {
        nodes.setNodes(snapshot.nodes);
        rooms.setSnapshot(snapshot);
        traces.setTraces(snapshot.recentTraces);
    });
    connect(&simulation, &fanout::Simulation::eventLogged, &events, &EventLogModel::append);
    simulation.setSnapshotInterval(5);
    QSignalSpy finished(&simulation, &fanout::Simulation::finished);
    simulation.setSpeed(0);
    simulation.run();
    QVERIFY(finished.wait(20000));

    QCOMPARE(nodes.rowCount(), 3);
    QCOMPARE(nodes.index(1, NodeTableModel::State).data().toString(), QStringLiteral("down")); // killed at 3 s
    QCOMPARE(rooms.rowCount(), 4);
    QCOMPARE(rooms.columnCount(), 3);
    // The fast run may end before the first periodic snapshot: feed one of the same shape, which
    // must change cells rather than reset the model.
    QSignalSpy roomChanges(&rooms, &QAbstractItemModel::dataChanged);
    QSignalSpy roomResets(&rooms, &QAbstractItemModel::modelReset);
    rooms.setSnapshot(simulation.snapshot());
    QCOMPARE(roomChanges.size(), 1);
    QCOMPARE(roomResets.size(), 0);
    QVERIFY(events.rowCount() >= 2);
    QVERIFY(traces.rowCount() > 0);
    QVERIFY(traces.index(0, TraceListModel::Channel).data().toString().startsWith(QStringLiteral("ws:room:")));

    // Shrinking and growing the fleet resets the shape without upsetting the tester.
    SimSnapshot smaller = simulation.snapshot();
    smaller.nodes.resize(2);
    smaller.rooms = QStringList {"only"};
    smaller.roomMembers = {1, 0};
    smaller.roomSubscribed = {true, false};
    nodes.setNodes(smaller.nodes);
    rooms.setSnapshot(smaller);
    QCOMPARE(nodes.rowCount(), 2);
    QCOMPARE(rooms.rowCount(), 1);
    QCOMPARE(rooms.index(0, 0).data(RoomMatrixModel::SubscribedRole).toBool(), true);
    events.clear();
    QCOMPARE(events.rowCount(), 0);
    for (int i = 0; i < EventLogModel::Capacity + 10; ++i)
        events.append(i, QStringLiteral("e%1").arg(i));
    QCOMPARE(events.rowCount(), EventLogModel::Capacity);
    QVERIFY(events.index(0).data().toString().endsWith(QStringLiteral("e10")));
}

void tst_Studio::mainWindowRunsAndAccounts()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    SimulationController *controller = window.controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds >= 2.0, 10000);

    QVERIFY(QLocale().toULongLong(labelText(window, QStringLiteral("lossPublished"))) > 0);
    auto *rateChart = window.findChild<TimeSeriesChart *>(QStringLiteral("rateChart"));
    QVERIFY(rateChart);
    const qsizetype pointsBefore = rateChart->pointCount(0);
    QVERIFY(pointsBefore > 5);
    QTRY_VERIFY(rateChart->pointCount(0) > pointsBefore);
    auto *nodeChart = window.findChild<TimeSeriesChart *>(QStringLiteral("nodeChart"));
    QCOMPARE(nodeChart->seriesCount(), 3);
    QVERIFY(nodeChart->pointCount(0) > 0);

    auto *nodeView = window.findChild<QTableView *>(QStringLiteral("nodeView"));
    QVERIFY(nodeView);
    nodeView->selectRow(1);
    auto *kill = window.findChild<QAction *>(QStringLiteral("actionKillNode"));
    QVERIFY(kill);
    kill->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().nodes.at(1).state, fanout::SimNodeState::Down, 5000);
    const double killedAt = controller->lastSnapshot().simSeconds;
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > killedAt + 1.5, 10000);

    window.findChild<QAction *>(QStringLiteral("actionPause"))->trigger();
    // The window draws each snapshot in the same turn as the controller takes it, so once the
    // paused one has come the labels show lastSnapshot(), whatever comes after it.
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().phase, fanout::SimPhase::Paused, 5000);
    const SimSnapshot last = controller->lastSnapshot();
    QCOMPARE(last.phase, fanout::SimPhase::Paused);
    QCOMPARE(last.nodes.at(1).clients, 0);
    const QLocale locale;
    QCOMPARE(labelText(window, QStringLiteral("lossPublished")), locale.toString(last.totals.published));
    QCOMPARE(labelText(window, QStringLiteral("lossExpected")), locale.toString(last.totals.expected));
    QCOMPARE(labelText(window, QStringLiteral("lossDelivered")), locale.toString(last.totals.delivered));
    QCOMPARE(labelText(window, QStringLiteral("lossLost")), locale.toString(last.totals.lost));
    QCOMPARE(labelText(window, QStringLiteral("lost_node_down")), locale.toString(last.totals.lostByCause[0]));
    QCOMPARE(labelText(window, QStringLiteral("lossDuplicates")), QStringLiteral("0"));
    QVERIFY(last.totals.lostByCause[size_t(fanout::LossCause::NodeDown)] > 0);
    QCOMPARE(last.totals.lostByCause[size_t(fanout::LossCause::Unexplained)], 0u);
}

void tst_Studio::faultActionsApplyToTheirSubject()
{
    MainWindow window;
    window.show();
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    SimulationController *controller = window.controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 0.2, 10000);

    auto *brokerDown = window.findChild<QAction *>(QStringLiteral("actionBrokerDown"));
    QVERIFY(brokerDown && brokerDown->isCheckable());
    brokerDown->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!controller->lastSnapshot().brokerUp, 5000);
    brokerDown->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().brokerUp, 5000);

    // A node fault without a selected node applies nothing and says why.
    auto *partition = window.findChild<QAction *>(QStringLiteral("actionPartitionNode"));
    QVERIFY(partition);
    partition->trigger();
    QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("Select a node")));
    window.findChild<QTableView *>(QStringLiteral("nodeView"))->selectRow(2);
    partition->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().nodes.at(2).state, fanout::SimNodeState::Partitioned, 5000);
    QCOMPARE(controller->lastSnapshot().nodes.at(0).state, fanout::SimNodeState::Up);
    window.findChild<QAction *>(QStringLiteral("actionHealNode"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().nodes.at(2).state, fanout::SimNodeState::Up, 5000);
}

void tst_Studio::sideBySideShowsBothFleets()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    SimulationController *controller = window.controller();
    QSignalSpy fleets(controller, &SimulationController::fleetSnapshotUpdated);
    // The built-in scenario with its first fault only, so that the later ones cannot get in
    // the way of the manual cut below however far either fleet has run.
    Scenario sideBySide = builtinScenario(QStringLiteral("durable-vs-fireforget"));
    sideBySide.steps.resize(1);
    QCOMPARE(sideBySide.steps.front().action, fanout::ScenarioStep::Action::CutSubscription);
    sideBySide.seconds = 60;
    window.startScenario(sideBySide);
    QTRY_VERIFY(window.findChild<QDockWidget *>(QStringLiteral("comparisonDock"))->isVisible());
    auto *panel = window.findChild<ComparisonPanel *>();
    QVERIFY(panel && panel->isVisible());
    // Node 1's subscribe connection is killed at 2 s; pub/sub's losses settle a second later.
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds >= 3.5, 15000);
    window.findChild<QAction *>(QStringLiteral("actionPause"))->trigger();
    std::array<SimSnapshot, 2> last;
    const auto bothPaused = [&] {
        for (const QList<QVariant> &arguments : std::as_const(fleets))
            last[size_t(arguments.at(0).toInt())] = arguments.at(1).value<SimSnapshot>();
        fleets.clear();
        return last[0].phase == fanout::SimPhase::Paused && last[1].phase == fanout::SimPhase::Paused;
    };
    QTRY_VERIFY_WITH_TIMEOUT(bothPaused(), 5000);
    QCOMPARE(panel->fleetCount(), 2);
    QCOMPARE(last[0].delivery, QStringLiteral("pubsub"));
    QCOMPARE(last[1].delivery, QStringLiteral("streams"));
    QVERIFY(last[0].totals.lostByCause[size_t(fanout::LossCause::SubscriptionCut)] > 0);
    QCOMPARE(last[1].totals.lost, 0u);
    QVERIFY(last[1].totals.recovered > 0);
    const QLocale locale;
    for (int fleet = 0; fleet < 2; ++fleet) {
        const auto *box = panel->findChild<QGroupBox *>(QStringLiteral("fleet%1").arg(fleet));
        QVERIFY(box);
        const auto &totals = last[size_t(fleet)].totals;
        QCOMPARE(labelText(*box, QStringLiteral("lossLost")), locale.toString(totals.lost));
        QCOMPARE(labelText(*box, QStringLiteral("lossRecovered")), locale.toString(totals.recovered));
        QCOMPARE(labelText(*box, QStringLiteral("lossOnTime")), locale.toString(totals.onTime()));
        QVERIFY(box->findChild<TimeSeriesChart *>(QStringLiteral("fleetRateChart"))->pointCount(0) > 5);
    }
    // The window's other views show the first fleet.
    QCOMPARE(controller->lastSnapshot().delivery, QStringLiteral("pubsub"));

    window.findChild<QTableView *>(QStringLiteral("nodeView"))->selectRow(0);
    window.findChild<QAction *>(QStringLiteral("actionCutSubscription"))->trigger();
    const QAbstractItemModel *log = window.findChild<QAbstractItemView *>(QStringLiteral("eventView"))->model();
    const auto logged = [log](const QString &text) {
        for (int row = 0; row < log->rowCount(); ++row) {
            if (log->index(row, 0).data().toString().contains(text))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(logged(QStringLiteral("streams: streams-0's subscribe connection killed")), 5000);
}

void tst_Studio::presenceDockShowsUsersAndExpiry()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.controller()->setSpeed(1.0); // entries expire in wall-clock time
    window.startScenario(builtinScenario(QStringLiteral("users-presence")));
    QAbstractItemModel *presence = window.findChild<QTableView *>(QStringLiteral("presenceView"))->model();
    QAbstractItemModelTester tester(presence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto rowsOn = [presence](const QString &node) {
        int rows = 0;
        for (int row = 0; row < presence->rowCount(); ++row)
            rows += presence->index(row, PresenceTableModel::Node).data().toString() == node ? 1 : 0;
        return rows;
    };
    // 8 users with a tab on each node, one room per tab: 8 rows per node.
    QTRY_COMPARE_WITH_TIMEOUT(rowsOn(QStringLiteral("sim-1")), 8, 10000);
    QCOMPARE(rowsOn(QStringLiteral("sim-0")), 8);
    // Killed at 3 s, node 1 keeps its rows, marked down, until they expire (presence_ttl 3).
    QTRY_COMPARE_WITH_TIMEOUT(rowsOn(QStringLiteral("sim-1 (down)")), 8, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(rowsOn(QStringLiteral("sim-1 (down)")), 0, 6000);
    QCOMPARE(rowsOn(QStringLiteral("sim-0")), 8);
}

void tst_Studio::consoleAnswersLikeRedisCli()
{
    MainWindow window;
    window.show();
    window.startScenario(builtinScenario(QStringLiteral("basics")));
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lastSnapshot().simSeconds > 0.2, 10000);
    // The simulation's own bus always takes writes: no switch, and the badge says so.
    QVERIFY(window.findChild<QCheckBox *>(QStringLiteral("consoleAllowWrites"))->isHidden());
    QVERIFY(labelText(window, QStringLiteral("consoleMode")).startsWith(QLatin1String("WRITES ALLOWED")));
    auto *input = window.findChild<QLineEdit *>(QStringLiteral("consoleInput"));
    auto *output = window.findChild<QPlainTextEdit *>(QStringLiteral("consoleOutput"));
    QVERIFY(input && output);
    input->setText(QStringLiteral("PUBSUB NUMSUB ws:room:room-0 ws:room:none"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(
        QStringLiteral("1) \"ws:room:room-0\"\n2) (integer) 3\n3) \"ws:room:none\"\n4) (integer) 0")));
    input->setText(QStringLiteral("PUBSUB CHANNELS ws:room:*"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(
        QStringLiteral("1) \"ws:room:room-0\"\n2) \"ws:room:room-1\"\n3) \"ws:room:room-2\"")));
    input->setText(QStringLiteral("PUBLISH ws:room:room-1 '{\"payload\":{\"type\":\"ping\"}}'"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("(integer) 3")));
    input->setText(QStringLiteral("GET x"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("(error) ERR unknown command 'GET'")));
}

void tst_Studio::consoleIsReadOnlyOnRedisUntilWritesAreConfirmed()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    redis.cli({QStringLiteral("SET"), QStringLiteral("kept"), QStringLiteral("1")});
    MainWindow window;
    window.show();
    window.startScenario(builtinScenario(QStringLiteral("basics")), redis.urlString());
    SimulationController *controller = window.controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 0.2, 10000);
    auto *allowWrites = window.findChild<QCheckBox *>(QStringLiteral("consoleAllowWrites"));
    QVERIFY(allowWrites);
    QVERIFY(!allowWrites->isHidden());
    QVERIFY(!allowWrites->isChecked());
    QCOMPARE(labelText(window, QStringLiteral("consoleMode")), QStringLiteral("READ-ONLY"));

    enterCommand(window, QStringLiteral("FLUSHALL"));
    QTRY_VERIFY(consoleTranscript(window).contains(QLatin1String("FLUSHALL\n(error) ERR refused: read-only mode")));
    QCOMPARE(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("kept")}).trimmed(), QStringLiteral("1"));

    // Declining the confirmation leaves the console read-only.
    QString question;
    answerNextQuestion(&window, QMessageBox::No, &question);
    allowWrites->click();
    QVERIFY(question.contains(QLatin1String("FLUSHALL included")));
    QVERIFY(question.contains(redis.urlString()));
    QVERIFY(!allowWrites->isChecked());
    QVERIFY(!controller->consoleWritesAllowed());

    answerNextQuestion(&window, QMessageBox::Yes, &question);
    allowWrites->click();
    QTRY_VERIFY(controller->consoleWritesAllowed());
    QTRY_VERIFY(allowWrites->isChecked());
    QCOMPARE(labelText(window, QStringLiteral("consoleMode")), QStringLiteral("WRITES ALLOWED"));
    enterCommand(window, QStringLiteral("SET written yes"));
    QTRY_VERIFY(consoleTranscript(window).contains(QLatin1String("SET written yes\nOK")));
    QCOMPARE(redis.cli({QStringLiteral("GET"), QStringLiteral("written")}).trimmed(), QStringLiteral("yes"));

    // Back to read-only needs no confirmation.
    allowWrites->click();
    QTRY_VERIFY(!controller->consoleWritesAllowed());
    QVERIFY(!allowWrites->isChecked());
    QCOMPARE(labelText(window, QStringLiteral("consoleMode")), QStringLiteral("READ-ONLY"));
}

void tst_Studio::screenshotCommand()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shot.png"));
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FANOUT_STUDIO_PATH),
                  {QStringLiteral("--screenshot"), path, QStringLiteral("--scenario"), QStringLiteral("redis-outage"),
                   QStringLiteral("--seconds"), QStringLiteral("1")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1600, 1000));
    QVERIFY(QFileInfo(path).size() > 10000);
}

QTEST_MAIN(tst_Studio)
#include "tst_studio.moc"
