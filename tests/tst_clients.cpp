#include "mainwindow.h"
#include "models/fleetclienttablemodel.h"
#include "sim/scenario.h"
#include "sim/scenariowriter.h"
#include "simulationcontroller.h"
#include "testclient.h"
#include "widgets/timeserieschart.h"
#include "windowtesting.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QTableView>
#include <QTest>

using fanout::LossCause;
using fanout::Scenario;
using fanout::ScenarioStep;
using fanout::SimSnapshot;

namespace {

SimSnapshot snapshotWith(const std::vector<int> &virtualClients, const QStringList &sessions)
{
    SimSnapshot s;
    s.nodes.resize(2);
    s.nodes[0].id = QStringLiteral("sim-0");
    s.nodes[1].id = QStringLiteral("sim-1");
    for (const int client : virtualClients)
        s.clients.push_back({client, client % 2, {client % 3}, client == 2, client == 2 ? 7 : 0, {}});
    for (const QString &session : sessions)
        s.externalSessions.push_back({session, 1, QStringLiteral("ann"), {QStringLiteral("lobby")}, 2048, false});
    return s;
}

/// The row of the Clients view whose Client column reads `id`, or -1.
int rowOf(const QTableView *view, const QString &id)
{
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        if (view->model()->index(row, FleetClientTableModel::Client).data().toString() == id)
            return row;
    }
    return -1;
}

QString cell(const QTableView *view, const QString &id, int column)
{
    const int row = rowOf(view, id);
    return row < 0 ? QStringLiteral("<no row %1>").arg(id) : view->model()->index(row, column).data().toString();
}

/// The names of the faults marked on a chart, in their order.
QStringList markerNames(const TimeSeriesChart &chart)
{
    QStringList names;
    for (const TimeSeriesChart::Marker &marker : chart.markers())
        names.append(marker.name);
    return names;
}

/// Selects a client in the view and triggers one of the view's actions on it.
void actOn(QWidget &window, QTableView *view, const QString &id, const char *actionName)
{
    const int row = rowOf(view, id);
    QVERIFY2(row >= 0, qPrintable(id));
    view->selectRow(row);
    auto *action = window.findChild<QAction *>(QLatin1String(actionName));
    QVERIFY(action);
    QVERIFY2(action->isEnabled(), actionName);
    action->trigger();
}

/// Three nodes, rooms of three virtual clients each, users; traffic at real time.
Scenario fleet()
{
    Scenario s;
    s.name = QStringLiteral("clients");
    s.seconds = 60;
    s.nodes = 3;
    s.clients = 9;
    s.rooms = 3;
    s.users = 3;
    s.publishRate = 200;
    s.reconnectDelayMs = 500;
    s.settleMs = 300;
    return s;
}

}

/// The Clients view: virtual and real WebSocket clients listed per node and room, made slow,
/// fast again or disconnected from there (docs/studio.md).
class tst_Clients : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelKeepsRowsAcrossSnapshots();
    void disconnectStepRoundTrips();
    void viewListsVirtualAndExternalClients();
    void virtualClientIsMadeSlowAndDisconnected();
};

void tst_Clients::initTestCase()
{
    windowtesting::useOwnSettings("Clients");
}

void tst_Clients::modelKeepsRowsAcrossSnapshots()
{
    FleetClientTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snapshotWith({0, 1, 2}, {QStringLiteral("sim-1/1")}));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(2, FleetClientTableModel::Slow).data().toString(), QStringLiteral("slow"));
    QCOMPARE(model.index(3, FleetClientTableModel::Kind).data().toString(), QStringLiteral("external"));
    QCOMPARE(model.index(3, FleetClientTableModel::Rooms).data().toString(), QStringLiteral("lobby"));
    const QPersistentModelIndex v2 = model.index(2, 0);
    const QPersistentModelIndex session = model.index(3, 0);

    // v0 goes, v3 and a second session come: the rows that stay keep their identity.
    model.setSnapshot(snapshotWith({1, 2, 3}, {QStringLiteral("sim-1/1"), QStringLiteral("sim-1/2")}));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(v2.data().toString(), QStringLiteral("v2"));
    QCOMPARE(session.data().toString(), QStringLiteral("sim-1/1"));
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data().toString());
    QCOMPARE(ids, QStringList({"v1", "v2", "v3", "sim-1/1", "sim-1/2"}));
    QCOMPARE(model.index(0, FleetClientTableModel::Node).data().toString(), QStringLiteral("sim-1"));
    QCOMPARE(model.index(1, FleetClientTableModel::Rooms).data().toString(), QStringLiteral("room-2"));

    model.setSnapshot({});
    QCOMPARE(model.rowCount(), 0);
}

void tst_Clients::disconnectStepRoundTrips()
{
    Scenario s = fleet();
    s.steps.push_back(ScenarioStep::onClient(ScenarioStep::Action::DisconnectClient, 4));
    s.steps.back().at = 2;
    QString error;
    const std::optional<Scenario> read
        = Scenario::fromJson(fanout::ScenarioWriter::toText(s), QStringLiteral("written"), &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->steps.size(), size_t(1));
    QCOMPARE(read->steps.front().action, ScenarioStep::Action::DisconnectClient);
    QCOMPARE(read->steps.front().client, 4);
    QVERIFY(!Scenario::fromJson(R"({"steps": [{"at": 1, "action": "disconnect_client"}]})", QStringLiteral("bad.json"),
                                &error));
    QVERIFY2(error.contains(QLatin1String("disconnect_client needs a client index")), qPrintable(error));
}

void tst_Clients::viewListsVirtualAndExternalClients()
{
    MainWindow window;
    window.show();
    SimulationController *controller = window.controller();
    controller->setSpeed(1);
    window.startScenario(fleet());
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 0.2, 10000);
    auto *view = window.findChild<QTableView *>(QStringLiteral("clientsView"));
    QVERIFY(view);
    QTRY_COMPARE(view->model()->rowCount(), 9);
    // Round robin: v4 is on node 1 in its rooms, as user-1 (client i is user i % users).
    const fanout::SimClientSnapshot &v4 = controller->lastSnapshot().clients.at(4);
    QCOMPARE(cell(view, QStringLiteral("v4"), FleetClientTableModel::Kind), QStringLiteral("virtual"));
    QCOMPARE(cell(view, QStringLiteral("v4"), FleetClientTableModel::User), QStringLiteral("user-1"));
    QCOMPARE(cell(view, QStringLiteral("v4"), FleetClientTableModel::Node),
             controller->lastSnapshot().nodes.at(size_t(v4.node)).id);
    QCOMPARE(cell(view, QStringLiteral("v4"), FleetClientTableModel::Rooms), FleetClientTableModel::roomList(v4.rooms));

    TestClient real;
    QUrl url = controller->lastSnapshot().nodes.at(1).url;
    url.setQuery(QStringLiteral("room=room-0"));
    QVERIFY(real.open(url));
    QTRY_COMPARE(view->model()->rowCount(), 10);
    const QString session = controller->lastSnapshot().externalSessions.at(0).id;
    QVERIFY2(session.startsWith(QLatin1String("sim-1/")), qPrintable(session));
    QCOMPARE(cell(view, session, FleetClientTableModel::Kind), QStringLiteral("external"));
    QCOMPARE(cell(view, session, FleetClientTableModel::Node), QStringLiteral("sim-1"));
    QCOMPARE(cell(view, session, FleetClientTableModel::Rooms), QStringLiteral("room-0"));

    // The node filter keeps that node's clients, the room filter those in the room.
    auto *nodes = window.findChild<QComboBox *>(QStringLiteral("clientsNodeFilter"));
    auto *rooms = window.findChild<QComboBox *>(QStringLiteral("clientsRoomFilter"));
    nodes->setCurrentText(QStringLiteral("sim-1"));
    rooms->setCurrentText(QStringLiteral("room-0"));
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        QCOMPARE(view->model()->index(row, FleetClientTableModel::Node).data().toString(), QStringLiteral("sim-1"));
        QVERIFY(view->model()->index(row, FleetClientTableModel::Rooms).data().toString().contains("room-0"));
    }
    QVERIFY(rowOf(view, session) >= 0);

    actOn(window, view, session, "clientsDisconnect");
    QTRY_VERIFY(!real.isConnected());
    QCOMPARE(real.closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QTRY_COMPARE(rowOf(view, session), -1);
}

void tst_Clients::virtualClientIsMadeSlowAndDisconnected()
{
    MainWindow window;
    window.show();
    SimulationController *controller = window.controller();
    controller->setSpeed(1);
    // Away long enough that the view shows it away even if the window stalls a while.
    Scenario scenario = fleet();
    scenario.reconnectDelayMs = 2000;
    window.startScenario(scenario);
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > 0.2, 10000);
    auto *view = window.findChild<QTableView *>(QStringLiteral("clientsView"));
    QTRY_COMPARE(view->model()->rowCount(), 9);

    actOn(window, view, QStringLiteral("v1"), "clientsMakeSlow");
    QTRY_COMPARE(cell(view, QStringLiteral("v1"), FleetClientTableModel::Slow), QStringLiteral("slow"));
    actOn(window, view, QStringLiteral("v1"), "clientsMakeFast");
    QTRY_COMPARE(cell(view, QStringLiteral("v1"), FleetClientTableModel::Slow), QString());

    // Disconnected, it is away for reconnect_delay_ms, comes back through the load balancer, and
    // the ledger blames what its rooms published meanwhile on the disconnection.
    actOn(window, view, QStringLiteral("v2"), "clientsDisconnect");
    QTRY_COMPARE(cell(view, QStringLiteral("v2"), FleetClientTableModel::Node),
                 FleetClientTableModel::nodeName(-1, controller->lastSnapshot()));
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().clients.at(2).node >= 0, 8000);
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().totals.lostByCause[size_t(LossCause::ClientDisconnected)] > 0,
                             5000);
    QCOMPARE(controller->lastSnapshot().totals.lostByCause[size_t(LossCause::Unexplained)], 0u);

    // Each one is marked on the charts' time axis, as the toolbar's faults are.
    auto *rateChart = window.findChild<TimeSeriesChart *>(QStringLiteral("rateChart"));
    QVERIFY(rateChart);
    QStringList marked;
    QTRY_VERIFY((marked = markerNames(*rateChart)).size() == 3);
    QCOMPARE(marked,
             (QStringList {QStringLiteral("slow client 1"), QStringLiteral("fast client 1"),
                           QStringLiteral("disconnect client 2")}));
}

QTEST_MAIN(tst_Clients)
#include "tst_clients.moc"
