#include "inspect/redisinspector.h"
#include "inspector/channeltablemodel.h"
#include "inspector/clienttablemodel.h"
#include "inspector/findinglistmodel.h"
#include "inspector/fleetnodetablemodel.h"
#include "inspectorwindow.h"
#include "mainwindow.h"
#include "redis/redisconnection.h"
#include "redisserver.h"
#include "models/eventlogmodel.h"
#include "models/nodetablemodel.h"
#include "models/roommatrixmodel.h"
#include "models/tracelistmodel.h"
#include "sim/simulation.h"
#include "simulationcontroller.h"
#include "widgets/timeserieschart.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using fanout::Scenario;
using fanout::SimSnapshot;

namespace {

Scenario scenario(const QString &name)
{
    QString error;
    auto loaded = Scenario::load(name, &error);
    if (!loaded)
        qFatal("%s", qPrintable(error));
    return *loaded;
}

QString labelText(const MainWindow &window, const QString &name)
{
    const auto *label = window.findChild<QLabel *>(name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

}

class tst_Studio : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelsPassTheModelTester();
    void mainWindowRunsAndAccounts();
    void consoleAnswersLikeRedisCli();
    void screenshotCommand();
    void inspectorWindowIsReadOnlyAndLive();
};

void tst_Studio::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FanoutStudioTest"));
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
    QSignalSpy roomChanges(&rooms, &QAbstractItemModel::dataChanged);

    Scenario s = scenario(QStringLiteral("node-failure"));
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
    simulation.run(fanout::Simulation::Pace::Fast);
    QVERIFY(finished.wait(20000));

    QCOMPARE(nodes.rowCount(), 3);
    QCOMPARE(nodes.index(1, NodeTableModel::State).data().toString(), QStringLiteral("down")); // killed at 3 s
    QCOMPARE(rooms.rowCount(), 4);
    QCOMPARE(rooms.columnCount(), 3);
    QVERIFY(roomChanges.size() > 0);
    QVERIFY(events.rowCount() >= 2);
    QVERIFY(traces.rowCount() > 0);
    QVERIFY(traces.index(0, TraceListModel::Channel).data().toString().startsWith(QStringLiteral("ws:room:")));

    // Shrinking and growing the fleet resets the shape without upsetting the tester.
    SimSnapshot smaller = simulation.snapshot();
    smaller.nodes.resize(2);
    smaller.rooms = QStringList{"only"};
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
    window.startScenario(scenario(QStringLiteral("basics")));
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
    QTRY_COMPARE_WITH_TIMEOUT(controller->lastSnapshot().nodes.at(1).state, QStringLiteral("down"), 5000);
    const double killedAt = controller->lastSnapshot().simSeconds;
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > killedAt + 1.5, 10000);

    QSignalSpy refreshed(&window, &MainWindow::refreshed);
    window.findChild<QAction *>(QStringLiteral("actionPause"))->trigger();
    QVERIFY(refreshed.wait(5000));
    QTest::qWait(300); // no snapshot may still be on its way
    const SimSnapshot last = controller->lastSnapshot();
    QCOMPARE(last.phase, QStringLiteral("paused"));
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

void tst_Studio::consoleAnswersLikeRedisCli()
{
    MainWindow window;
    window.show();
    window.startScenario(scenario(QStringLiteral("basics")));
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lastSnapshot().simSeconds > 0.2, 10000);
    auto *input = window.findChild<QLineEdit *>(QStringLiteral("consoleInput"));
    auto *output = window.findChild<QPlainTextEdit *>(QStringLiteral("consoleOutput"));
    QVERIFY(input && output);
    input->setText(QStringLiteral("PUBSUB NUMSUB ws:room:room-0 ws:room:none"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral(
            "1) \"ws:room:room-0\"\n2) (integer) 3\n3) \"ws:room:none\"\n4) (integer) 0")));
    input->setText(QStringLiteral("PUBSUB CHANNELS ws:room:*"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("1) \"ws:room:room-0\"\n2) \"ws:room:room-1\"\n3) \"ws:room:room-2\"")));
    input->setText(QStringLiteral("PUBLISH ws:room:room-1 '{\"payload\":{\"type\":\"ping\"}}'"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("(integer) 3")));
    input->setText(QStringLiteral("GET x"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("(error) ERR unknown command 'GET'")));
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

void tst_Studio::inspectorWindowIsReadOnlyAndLive()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    fanout::RedisConnection subscriber(redis.url(), QStringLiteral("someone"), fanout::RedisConnection::Mode::Subscriber);
    QSignalSpy ready(&subscriber, &fanout::RedisConnection::ready);
    subscriber.open();
    QVERIFY(ready.wait(5000));
    QList<QByteArray> subscribe{"SUBSCRIBE"};
    for (int i = 0; i < 1500; ++i)
        subscribe.append("ws:room:r" + QByteArray::number(i));
    subscriber.send(subscribe);

    InspectorWindow window(redis.url(), QStringLiteral("ws:room:"));
    // The testers watch models of their own, fed by the window's inspector: the window's
    // models also have views attached, which fetch more rows while a reset is being announced.
    ChannelTableModel channels;
    FindingListModel findings;
    ClientTableModel clients;
    FleetNodeTableModel nodes;
    QAbstractItemModelTester channelTester(&channels, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester findingTester(&findings, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester clientTester(&clients, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester nodeTester(&nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(window.inspector(), &fanout::RedisInspector::snapshotReady, this, [&](const fanout::InspectionSnapshot &snapshot) {
        channels.setChannels(snapshot.channels);
        findings.setFindings(snapshot.findings);
        clients.setSnapshot(snapshot);
        nodes.setSnapshot(snapshot);
        if (channels.canFetchMore({}))
            channels.fetchMore({});
    });
    window.show();
    QVERIFY(window.windowTitle().contains(QLatin1String("read-only")));
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("inspectorMode"))->text().trimmed(), QStringLiteral("READ-ONLY"));
    QTRY_COMPARE_WITH_TIMEOUT(window.channelModel()->totalCount(), 1500, 10000);
    QCOMPARE(window.channelModel()->rowCount(), ChannelTableModel::PageSize); // paged
    QVERIFY(window.channelModel()->canFetchMore({}));
    window.channelModel()->fetchMore({});
    QTRY_COMPARE(window.channelModel()->rowCount(), 1500);
    QCOMPARE(window.channelModel()->index(0, ChannelTableModel::Subscribers).data().toLongLong(), 1);
    QCOMPARE(window.findingModel()->rowCount(), 1500); // unattributed: no fan-out node registered
    QTRY_COMPARE(channels.rowCount(), 1500);
    QVERIFY(clients.rowCount() >= 2);
    window.inspector()->setWritesAllowed(true);
    QVERIFY(window.windowTitle().contains(QLatin1String("WRITES ENABLED")));
}

QTEST_MAIN(tst_Studio)
#include "tst_studio.moc"
