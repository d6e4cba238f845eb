#include "broker/hashslot.h"
#include "inspect/redisinspector.h"
#include "inspector/channeltablemodel.h"
#include "inspector/clienttablemodel.h"
#include "inspector/clustermastermodel.h"
#include "inspector/findinglistmodel.h"
#include "inspector/fleetnodetablemodel.h"
#include "inspectorwindow.h"
#include "mainwindow.h"
#include "redisserver.h"
#include "windowtesting.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QBrush>
#include <QCheckBox>
#include <QPointer>
#include <QTabWidget>

using namespace windowtesting;

/// The inspector's window on a real redis-server: read-only until confirmed, live, its tabs and
/// models, and how File > Attach opens it from the main window.
class tst_InspectorWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void attachInspectsTheStudioPrefix();
    void inspectorWindowIsReadOnlyAndLive();
    void inspectorWritesNeedOneConfirmation();
    void inspectorDriftTabSaysWhenThereIsNone();
    void inspectorClosesFromTheKeyboard_data();
    void inspectorClosesFromTheKeyboard();
    void inspectorNodeStates_data();
    void inspectorNodeStates();
    void clusterMastersModel();
};

void tst_InspectorWindow::initTestCase()
{
    windowtesting::useOwnSettings("InspectorWindow");
}

void tst_InspectorWindow::attachInspectsTheStudioPrefix()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    fanout::RedisConnection subscriber(redis.url(), QStringLiteral("someone"),
                                       fanout::RedisConnection::Mode::Subscriber);
    QVERIFY(subscribeSomeone(subscriber, {"chat:lobby", "ws:room:lobby"}));

    MainWindow window(QStringLiteral("chat:"));
    window.attach(redis.url());
    QPointer<InspectorWindow> inspectorWindow;
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (auto *candidate = qobject_cast<InspectorWindow *>(widget))
            inspectorWindow = candidate;
    }
    QVERIFY(inspectorWindow);
    QVERIFY(inspectorWindow->isVisible());
    QCOMPARE(inspectorWindow->inspector()->prefix(), QStringLiteral("chat:"));
    QVERIFY(inspectorWindow->findChild<QLineEdit *>(QStringLiteral("consoleInput"))
                ->placeholderText()
                .contains(QLatin1String("chat:room-0")));
    QTRY_COMPARE_WITH_TIMEOUT(inspectorWindow->channelModel()->totalCount(), 1, 10000);
    QCOMPARE(inspectorWindow->channelModel()->index(0, ChannelTableModel::Channel).data().toString(),
             QStringLiteral("chat:lobby"));
    inspectorWindow->close();
    QTRY_VERIFY(!inspectorWindow); // deletes itself when closed
}

void tst_InspectorWindow::inspectorWindowIsReadOnlyAndLive()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    fanout::RedisConnection subscriber(redis.url(), QStringLiteral("someone"),
                                       fanout::RedisConnection::Mode::Subscriber);
    QList<QByteArray> subscribed;
    for (int i = 0; i < 1500; ++i)
        subscribed.append("ws:room:r" + QByteArray::number(i));
    QVERIFY(subscribeSomeone(subscriber, subscribed));

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
    connect(window.inspector(), &fanout::RedisInspector::snapshotReady, this,
            [&](const fanout::InspectionSnapshot &snapshot) {
                channels.setChannels(snapshot.channels);
                findings.setFindings(snapshot.findings);
                clients.setSnapshot(snapshot);
                nodes.setSnapshot(snapshot);
                if (channels.canFetchMore({}))
                    channels.fetchMore({});
            });
    window.show();
    QVERIFY(window.windowTitle().contains(QLatin1String("read-only")));
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("inspectorMode"))->text().trimmed(),
             QStringLiteral("READ-ONLY"));
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
    QVERIFY(window.windowTitle().contains(QLatin1String("WRITES ALLOWED")));
}

void tst_InspectorWindow::inspectorWritesNeedOneConfirmation()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    InspectorWindow window(redis.url(), QStringLiteral("ws:room:"));
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.inspector()->isConnected(), 5000);
    enterCommand(window, QStringLiteral("FLUSHALL"));
    QTRY_VERIFY(consoleTranscript(window).contains(QLatin1String("FLUSHALL\n(error) ERR refused: read-only mode")));

    // The toolbar's switch and the console's box ask the same confirmation; declined, nothing changes.
    auto *allowAction = window.findChild<QAction *>(QStringLiteral("actionAllowWrites"));
    auto *allowBox = window.findChild<QCheckBox *>(QStringLiteral("consoleAllowWrites"));
    QVERIFY(allowAction && allowBox);
    QString question;
    answerNextQuestion(&window, QMessageBox::No, &question);
    allowAction->trigger();
    QVERIFY(question.contains(QLatin1String("FLUSHALL included")));
    QVERIFY(!window.inspector()->writesAllowed());
    QVERIFY(!allowAction->isChecked());
    answerNextQuestion(&window, QMessageBox::Yes, &question);
    allowBox->click();
    QVERIFY(window.inspector()->writesAllowed());
    QVERIFY(allowAction->isChecked());
    QVERIFY(window.windowTitle().contains(QLatin1String("WRITES ALLOWED")));
    enterCommand(window, QStringLiteral("SET written yes"));
    QTRY_VERIFY(consoleTranscript(window).contains(QLatin1String("SET written yes\nOK")));
    QCOMPARE(redis.cli({QStringLiteral("GET"), QStringLiteral("written")}).trimmed(), QStringLiteral("yes"));

    // Forbidding writes again needs no confirmation.
    allowAction->trigger();
    QVERIFY(!window.inspector()->writesAllowed());
    QVERIFY(!allowBox->isChecked());
    QCOMPARE(labelText(window, QStringLiteral("consoleMode")), QStringLiteral("READ-ONLY"));
}

void tst_InspectorWindow::inspectorDriftTabSaysWhenThereIsNone()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    InspectorWindow window(redis.url(), QStringLiteral("ws:room:"));
    auto *tabs = window.findChild<QTabWidget *>();
    QVERIFY(tabs);
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i) == QLatin1String("Drift"))
            tabs->setCurrentIndex(i);
    }
    window.show();
    auto *noDrift = window.findChild<QLabel *>(QStringLiteral("inspectorNoDrift"));
    QVERIFY(noDrift);
    QTRY_VERIFY_WITH_TIMEOUT(noDrift->text().startsWith(QLatin1String("No drift: every node's registry matches Redis")),
                             5000);
    QVERIFY(noDrift->isVisible());

    // A finding replaces the line with the list.
    fanout::RedisConnection subscriber(redis.url(), QStringLiteral("someone"),
                                       fanout::RedisConnection::Mode::Subscriber);
    QVERIFY(subscribeSomeone(subscriber, {"ws:room:orphan"}));
    window.inspector()->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(window.findingModel()->rowCount(), 1, 5000);
    QVERIFY(!noDrift->isVisible());
}

void tst_InspectorWindow::inspectorClosesFromTheKeyboard_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("modifiers");
    QTest::addRow("Ctrl+W") << int(Qt::Key_W) << int(Qt::ControlModifier);
    QTest::addRow("Esc") << int(Qt::Key_Escape) << int(Qt::NoModifier);
}

void tst_InspectorWindow::inspectorClosesFromTheKeyboard()
{
    QFETCH(int, key);
    QFETCH(int, modifiers);
    // Closing needs no server: the window keeps retrying the unreachable one meanwhile.
    InspectorWindow window(*fanout::RedisUrl::parse(QStringLiteral("redis://127.0.0.1:1"), nullptr),
                           QStringLiteral("ws:room:"));
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QWidget *focused = QApplication::focusWidget();
    QTest::keyClick(focused ? focused : &window, Qt::Key(key), Qt::KeyboardModifiers(modifiers));
    QTRY_VERIFY(!window.isVisible());
}

void tst_InspectorWindow::inspectorNodeStates_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("shown");
    QTest::addRow("alive") << int(fanout::FleetNode::State::Alive) << "alive";
    QTest::addRow("suspect") << int(fanout::FleetNode::State::Suspect) << "suspect";
    QTest::addRow("vanished") << int(fanout::FleetNode::State::Vanished) << "vanished";
}

void tst_InspectorWindow::inspectorNodeStates()
{
    QFETCH(int, state);
    QFETCH(QString, shown);
    FleetNodeTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    fanout::InspectionSnapshot snapshot;
    fanout::FleetNode alive;
    alive.record.id = QStringLiteral("n0");
    fanout::FleetNode node = alive;
    node.record.id = QStringLiteral("n1");
    node.state = fanout::FleetNode::State(state);
    snapshot.nodes = {alive, node};
    model.setSnapshot(snapshot);
    const QModelIndex status = model.index(1, FleetNodeTableModel::Status);
    QCOMPARE(status.data().toString(), shown);
    // Each state has its own colour; alive is the first row's.
    const QColor aliveColor
        = model.index(0, FleetNodeTableModel::Status).data(Qt::BackgroundRole).value<QBrush>().color();
    const QColor color = status.data(Qt::BackgroundRole).value<QBrush>().color();
    QCOMPARE(color == aliveColor, shown == QLatin1String("alive"));
    QCOMPARE(status.data(Qt::ToolTipRole).isValid(), shown == QLatin1String("suspect"));
}

void tst_InspectorWindow::clusterMastersModel()
{
    ClusterMasterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    fanout::ClusterInfo cluster;
    fanout::ClusterMaster first;
    first.address = QStringLiteral("10.0.0.1:7000");
    first.slotRanges = fanout::ClusterMaster::rangesOf({0, 1, 2, 7});
    first.shardChannels = {{"ws:room:a", "a", 2, -1, first.address}, {"ws:room:b", "b", 1, -1, first.address}};
    first.nodes = {{QStringLiteral("n1"), 1, 1, 2}};
    fanout::ClusterMaster second;
    second.address = QStringLiteral("10.0.0.2:7000");
    second.slotRanges = {{8, 16383}};
    second.error = QStringLiteral("not connected");
    cluster.masters = {first, second};
    model.setCluster(cluster);
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex master = model.index(0, ClusterMasterModel::Name);
    QCOMPARE(master.data().toString(), QStringLiteral("10.0.0.1:7000"));
    QCOMPARE(model.index(0, ClusterMasterModel::Slots).data().toString(), QStringLiteral("0-2, 7 (4 slots)"));
    QCOMPARE(model.index(0, ClusterMasterModel::Subscribers).data().toLongLong(), 3);
    QCOMPARE(model.rowCount(master), 2);
    QCOMPARE(model.index(1, ClusterMasterModel::Name, master).data().toString(), QStringLiteral("ws:room:b"));
    QCOMPARE(model.index(1, ClusterMasterModel::Slots, master).data().toInt(), int(fanout::HashSlot::of("ws:room:b")));
    QCOMPARE(model.rowCount(model.index(1, 0)), 0);
    QVERIFY(model.index(1, 0).data(Qt::BackgroundRole).isValid()); // not connected

    // New counts change cells, so that a view keeps what it expanded; new channels reset.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    cluster.masters[0].shardChannels[0].subscribers = 5;
    model.setCluster(cluster);
    QCOMPARE(resets.size(), 0);
    QCOMPARE(model.index(0, ClusterMasterModel::Name, master).siblingAtColumn(ClusterMasterModel::Subscribers).data(),
             QVariant(qlonglong(5)));
    cluster.masters[1].shardChannels = {{"ws:room:c", "c", 1, -1, second.address}};
    model.setCluster(cluster);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(model.rowCount(model.index(1, 0)), 1);
    model.setCluster(std::nullopt);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(tst_InspectorWindow)
#include "tst_inspectorwindow.moc"
