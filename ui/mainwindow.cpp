#include "mainwindow.h"

#include "clientspanel.h"
#include "faultinjector.h"
#include "faultmarkers.h"
#include "inspectorwindow.h"
#include "models/eventlogmodel.h"
#include "models/presencetablemodel.h"
#include "models/roommatrixmodel.h"
#include "nodespanel.h"
#include "redis/redisurl.h"
#include "sessionsaver.h"
#include "setupprogress.h"
#include "sim/simulation.h"
#include "simulationcontroller.h"
#include "simulationtoolbar.h"
#include "widgets/comparisonpanel.h"
#include "widgets/consolepanel.h"
#include "widgets/fleetdialog.h"
#include "widgets/fleetview.h"
#include "widgets/lessonbanner.h"
#include "widgets/losspanel.h"
#include "widgets/roommatrixview.h"
#include "widgets/timeserieschart.h"
#include "widgets/tracepanel.h"
#include "windowlayout.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QScreen>
#include <QSettings>
#include <QShowEvent>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>

#include <QVBoxLayout>

#include <algorithm>
#include <utility>

MainWindow::MainWindow(const QString &channelPrefix, QWidget *parent)
    : QMainWindow(parent), m_channelPrefix(channelPrefix), m_controller(new SimulationController(this)),
      m_actions(this), m_exporter(this, &m_history, m_controller), m_setUp(new SetUpProgress(this)),
      m_roomModel(new RoomMatrixModel(this)), m_eventModel(new EventLogModel(this)), m_fleetView(new FleetView),
      m_nodes(new NodesPanel(m_actions)), m_roomView(new RoomMatrixView), m_lossPanel(new LossPanel),
      m_comparison(new ComparisonPanel), m_presenceModel(new PresenceTableModel(this)), m_tracePanel(new TracePanel),
      m_console(new ConsolePanel), m_toolBar(new SimulationToolBar(m_actions)), m_statusLabel(new QLabel)
{
    setWindowTitle(tr("Fanout Studio"));
    setObjectName(QStringLiteral("mainWindow"));
    // A lesson's caption shows above the fleet while the run waits at it.
    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->addWidget(new LessonBanner(m_controller, m_actions.followLessons));
    centralLayout->addWidget(m_fleetView, 1);
    setCentralWidget(central);
    new SessionSaver(m_actions.saveSession, m_controller, this);
    // The status line changes with every snapshot: its length must not widen the window.
    m_statusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    statusBar()->addPermanentWidget(m_statusLabel, 1);
    addToolBars();
    new FaultInjector(m_actions, m_nodes, m_controller, this);
    m_faultMarkers = new FaultMarkers(m_controller, this);
    createMenus();
    createDocks();
    connectActions();
    connectController();
    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::addToolBars()
{
    addToolBar(m_toolBar);
    // The faults get a row of their own: on one row with the run controls they would not fit a
    // 1280-pixel screen and would fall into the toolbar's overflow menu, out of sight.
    addToolBarBreak();
    QToolBar *faults = addToolBar(tr("Faults"));
    faults->setObjectName(QStringLiteral("faultsToolBar"));
    for (const StudioActions::Fault &fault : m_actions.faults)
        faults->addAction(fault.action);
    faults->addSeparator();
    faults->addAction(m_actions.fleet);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions({m_actions.openScenario, m_actions.saveSession, m_actions.exportDashboard, m_actions.exportCsv,
                      m_actions.exportReport, m_actions.attach});
    file->addSeparator();
    file->addAction(m_actions.quit);
    QMenu *simulation = menuBar()->addMenu(tr("&Simulation"));
    simulation->addActions({m_actions.run, m_actions.pause, m_actions.step, m_actions.reset, m_actions.runUntilStopped,
                            m_actions.followLessons, m_actions.fleet});
    QMenu *faults = menuBar()->addMenu(tr("F&aults"));
    for (const StudioActions::Fault &fault : m_actions.faults)
        faults->addAction(fault.action);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
}

QDockWidget *MainWindow::addDock(const QString &title, const QString &objectName, QWidget *widget,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createDocks()
{
    QDockWidget *nodes = addDock(tr("Nodes"), QStringLiteral("nodesDock"), m_nodes, Qt::BottomDockWidgetArea);

    m_roomView->setModel(m_roomModel);
    m_roomView->setObjectName(QStringLiteral("roomView"));
    m_roomView->setToolTip(tr("Local members per room and node. Green: subscribed. Red: members but no "
                              "subscription (they miss everything). Yellow: subscribed with no member."));
    QDockWidget *rooms = addDock(tr("Rooms x nodes"), QStringLiteral("roomsDock"), m_roomView, Qt::LeftDockWidgetArea);

    QDockWidget *amplification = addDock(tr("Amplification"), QStringLiteral("amplificationDock"),
                                         m_charts.amplificationPage(), Qt::RightDockWidgetArea);
    QDockWidget *nodeChart = addDock(tr("Per-node delivery"), QStringLiteral("nodeChartDock"), m_charts.nodeChart(),
                                     Qt::RightDockWidgetArea);
    QDockWidget *latency
        = addDock(tr("Latency"), QStringLiteral("latencyDock"), m_charts.latencyChart(), Qt::RightDockWidgetArea);
    tabifyDockWidget(amplification, nodeChart);
    tabifyDockWidget(nodeChart, latency);
    m_comparisonDock = addDock(tr("Side by side"), QStringLiteral("comparisonDock"),
                               WindowLayout::scrolling(m_comparison), Qt::RightDockWidgetArea);
    tabifyDockWidget(latency, m_comparisonDock);
    amplification->raise();

    // In a scroll area: its rows must not squeeze the rooms matrix above it on a small screen.
    QDockWidget *loss
        = addDock(tr("Loss"), QStringLiteral("lossDock"), WindowLayout::scrolling(m_lossPanel), Qt::LeftDockWidgetArea);
    auto *presenceView = new QTableView;
    presenceView->setModel(m_presenceModel);
    presenceView->setObjectName(QStringLiteral("presenceView"));
    presenceView->setToolTip(tr("Users present per room and the nodes holding their connections, as the broker's "
                                "presence sets say (scenarios with \"users\"). A killed node's users stay until their "
                                "entries expire."));
    presenceView->horizontalHeader()->setStretchLastSection(true);
    presenceView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    presenceView->verticalHeader()->hide();
    m_presenceDock = addDock(tr("Presence"), QStringLiteral("presenceDock"), presenceView, Qt::LeftDockWidgetArea);
    tabifyDockWidget(loss, m_presenceDock);
    loss->raise();

    auto *log = new QListView;
    log->setModel(m_eventModel);
    log->setObjectName(QStringLiteral("eventView"));
    log->setWordWrap(true); // a scenario's description is one long line
    log->setResizeMode(QListView::Adjust);
    connect(m_eventModel, &QAbstractItemModel::rowsInserted, log, &QListView::scrollToBottom);
    QDockWidget *events = addDock(tr("Event log"), QStringLiteral("eventsDock"), log, Qt::BottomDockWidgetArea);
    QDockWidget *traces
        = addDock(tr("Message trace"), QStringLiteral("traceDock"), m_tracePanel, Qt::BottomDockWidgetArea);
    QDockWidget *console
        = addDock(tr("Verification console"), QStringLiteral("consoleDock"), m_console, Qt::BottomDockWidgetArea);
    QDockWidget *clients = addDock(tr("Clients"), QStringLiteral("clientsDock"), new ClientsPanel(m_controller),
                                   Qt::BottomDockWidgetArea);
    splitDockWidget(nodes, events, Qt::Horizontal);
    // One tab group beside the nodes: side by side the three would leave the nodes table too
    // narrow for its columns on a 1280-pixel screen.
    tabifyDockWidget(events, traces);
    tabifyDockWidget(traces, console);
    tabifyDockWidget(console, clients);
    events->raise();
    resizeDocks({nodes, events}, {width() * 3 / 5, width() * 2 / 5}, Qt::Horizontal);
    resizeDocks({rooms}, {m_roomView->sizeHint().height()}, Qt::Vertical);
}

void MainWindow::connectActions()
{
    connect(m_actions.openScenario, &QAction::triggered, this, &MainWindow::openScenarioFile);
    connect(m_actions.exportDashboard, &QAction::triggered, this, [this] { m_exporter.exportDashboard(); });
    connect(m_actions.exportCsv, &QAction::triggered, this, [this] { m_exporter.exportCsv(); });
    connect(m_actions.exportReport, &QAction::triggered, this, [this] { m_exporter.exportReport(); });
    connect(m_actions.attach, &QAction::triggered, this, &MainWindow::askToAttach);
    connect(m_setUp, &SetUpProgress::retryRequested, this,
            [this] { startScenario(m_controller->scenario(), m_controller->redisUrl()); });
    connect(m_setUp, &SetUpProgress::inProcessRequested, this,
            [this] { startScenario(m_controller->scenario(), QString()); });
    connect(m_actions.quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actions.run, &QAction::triggered, this, [this] {
        // A finished run cannot go on: Run starts it again.
        if (m_controller->lastSnapshot().phase == fanout::SimPhase::Finished)
            startScenario(m_controller->scenario(), m_controller->redisUrl());
        else
            m_controller->run();
    });
    connect(m_actions.runUntilStopped, &QAction::toggled, this, [this](bool on) {
        m_controller->setRunsUntilStopped(on);
        QSettings().setValue(QStringLiteral("runUntilStopped"), on);
    });
    connect(m_actions.pause, &QAction::triggered, m_controller, &SimulationController::pause);
    connect(m_actions.step, &QAction::triggered, m_controller, &SimulationController::step);
    connect(m_actions.reset, &QAction::triggered, this,
            [this] { startScenario(m_controller->scenario(), m_controller->redisUrl()); });
    connect(m_actions.fleet, &QAction::triggered, this, &MainWindow::editFleet);
    connect(m_nodes, &NodesPanel::urlCopied, this,
            [this](const QString &url) { statusBar()->showMessage(tr("Copied %1").arg(url), 3000); });
    connect(m_toolBar, &SimulationToolBar::scenarioChosen, this, &MainWindow::loadScenario);
    connect(m_toolBar, &SimulationToolBar::speedChanged, this, &MainWindow::setSpeed);
    connect(m_toolBar, &SimulationToolBar::publishRateChanged, this,
            [this](double rate) { m_controller->apply(fanout::ScenarioStep::withRate(rate)); });
}

void MainWindow::connectController()
{
    connect(m_controller, &SimulationController::snapshotUpdated, this, &MainWindow::onSnapshot);
    connect(m_controller, &SimulationController::fleetSnapshotUpdated, m_comparison, &ComparisonPanel::setSnapshot);
    connect(m_controller, &SimulationController::loaded, this, &MainWindow::onLoaded);
    connect(m_controller, &SimulationController::eventLogged, m_eventModel, &EventLogModel::append);
    connect(m_controller, &SimulationController::commandAnswered, m_console, &ConsolePanel::showAnswer);
    connect(m_controller, &SimulationController::consoleWritesAllowedChanged, m_console,
            &ConsolePanel::setWritesAllowed);
    connect(m_console, &ConsolePanel::commandEntered, m_controller, &SimulationController::execute);
    connect(m_console, &ConsolePanel::writesRequested, m_controller, &SimulationController::setConsoleWritesAllowed);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    resize(QSize(1440, 900).boundedTo(screen()->availableGeometry().size()));
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    m_toolBar->restoreSpeed();
    m_actions.runUntilStopped->setChecked(settings.value(QStringLiteral("runUntilStopped"), true).toBool());
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!std::exchange(m_fittedToScreen, true))
        WindowLayout::fitToScreen(this);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    event->accept();
}

void MainWindow::startScenario(const fanout::Scenario &scenario, const QString &redisUrl)
{
    m_history.clear();
    m_charts.clear();
    m_faultMarkers->reset(scenario);
    m_eventModel->clear();
    m_comparison->clear();
    m_tracePanel->clear();
    if (scenario.users > 0) {
        m_presenceDock->raise();
        resizeDocks({m_presenceDock}, {440}, Qt::Horizontal); // room, user, node and expiry side by side
    }
    if (scenario.delivery == fanout::Scenario::Delivery::Both) {
        m_comparisonDock->raise();
        resizeDocks({m_comparisonDock}, {width() / 2}, Qt::Horizontal); // two charts need the room
    }
    m_actions.brokerDown->setChecked(false);
    m_toolBar->showScenario(scenario);
    const bool onRedis = !redisUrl.isEmpty();
    m_console->setTarget(fanout::Simulation::brokerName(redisUrl));
    m_console->setWritesSwitchable(onRedis);
    m_console->setWritesAllowed(!onRedis); // what the new simulation's console starts with
    // The fleet as it runs, which the Fleet dialog may have changed since the description was written.
    const QString fleet = tr("%1 nodes, %2 clients, %3 rooms, %4 publishes/s")
                              .arg(scenario.nodes)
                              .arg(scenario.clients)
                              .arg(scenario.rooms)
                              .arg(scenario.publishRate);
    m_eventModel->append(
        0,
        tr("scenario %1 on %2: %3%4")
            .arg(scenario.name, onRedis ? fanout::Simulation::brokerName(redisUrl) : tr("the in-process broker"), fleet,
                 scenario.description.isEmpty() ? QString() : QStringLiteral(". ") + scenario.description));
    m_controller->load(scenario, redisUrl);
    m_setUp->start(scenario, redisUrl);
    m_controller->run();
}

void MainWindow::onLoaded(bool ok, const QString &error)
{
    if (ok)
        return;
    m_setUp->finish();
    m_eventModel->append(0, tr("error: %1").arg(error));
    QMessageBox::warning(this, tr("Cannot start the simulation"), error);
}

void MainWindow::onSnapshot(const fanout::SimSnapshot &snapshot)
{
    QElapsedTimer clock;
    clock.start();
    if (snapshot.phase != fanout::SimPhase::Setup)
        m_setUp->finish();
    m_actions.brokerDown->setChecked(!snapshot.brokerUp); // scenario steps move it too
    m_nodes->setNodes(snapshot.nodes);
    m_roomModel->setSnapshot(snapshot);
    m_fleetView->setSnapshot(snapshot);
    m_lossPanel->setSnapshot(snapshot);
    m_presenceModel->setSnapshot(snapshot);
    m_tracePanel->setTraces(snapshot.recentTraces);
    if (m_history.add(snapshot)) {
        m_charts.update(m_history, snapshot.nodes);
        m_charts.setMarkers(m_faultMarkers->until(snapshot.simSeconds, snapshot.nodes));
    }
    m_statusLabel->setText(tr("%1 on %2 | %3 | t = %4 s | %5 published, %6 delivered, %7 lost | amplification %8")
                               .arg(snapshot.scenario, snapshot.broker, fanout::phaseName(snapshot.phase))
                               .arg(snapshot.simSeconds, 0, 'f', 2)
                               .arg(snapshot.totals.published)
                               .arg(snapshot.totals.delivered)
                               .arg(snapshot.totals.lost)
                               .arg(snapshot.amplification, 0, 'f', 2));
    m_lastRefreshMs = double(clock.nsecsElapsed()) / 1e6;
    emit refreshed();
}

void MainWindow::loadScenario(const QString &nameOrPath)
{
    QString error;
    const auto scenario = fanout::Scenario::load(nameOrPath, &error);
    if (!scenario) {
        QMessageBox::warning(this, tr("Cannot load the scenario"), error);
        return;
    }
    startScenario(*scenario, m_controller->redisUrl());
}

void MainWindow::openScenarioFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open scenario"), QString(), tr("Scenarios (*.json)"));
    if (!path.isEmpty())
        loadScenario(path);
}

void MainWindow::editFleet()
{
    FleetDialog dialog(m_controller->scenario(), m_controller->redisUrl(), this);
    if (dialog.exec() == QDialog::Accepted)
        startScenario(dialog.scenario(), dialog.redisUrl());
}

void MainWindow::setSpeed(double factor)
{
    m_controller->setSpeed(factor);
    // In slow motion a message takes as long to cross the view as it takes in simulated time.
    m_fleetView->setTravelMs(factor > 0 && factor < 1 ? int(900 / factor) : 900);
}

void MainWindow::askToAttach()
{
    bool ok = false;
    const QString text
        = QInputDialog::getText(this, tr("Attach to Redis"),
                                tr("Redis URL: redis:// or rediss://[user:password@]host:port[/db], "
                                   "redis+sentinel://host:port[,host:port...]/MASTER or "
                                   "redis+cluster://host:port[,host:port...]. The inspector is read-only and reads "
                                   "the channels under %1:")
                                    .arg(m_channelPrefix),
                                QLineEdit::Normal, QStringLiteral("redis://127.0.0.1:6379"), &ok);
    if (!ok)
        return;
    QString error;
    const auto url = fanout::RedisUrl::parse(text.trimmed(), &error);
    if (!url) {
        QMessageBox::warning(this, tr("Attach to Redis"), error);
        return;
    }
    attach(*url);
}

InspectorWindow *MainWindow::attach(const fanout::RedisUrl &url)
{
    auto *inspector = new InspectorWindow(url, m_channelPrefix);
    inspector->setAttribute(Qt::WA_DeleteOnClose);
    inspector->show();
    return inspector;
}
