#include "mainwindow.h"

#include "inspectorwindow.h"
#include "redis/redisurl.h"
#include "models/eventlogmodel.h"
#include "models/nodetablemodel.h"
#include "models/roommatrixmodel.h"
#include "simulationcontroller.h"
#include "widgets/consolepanel.h"
#include "widgets/fleetdialog.h"
#include "widgets/fleetview.h"
#include "widgets/losspanel.h"
#include "widgets/timeserieschart.h"
#include "widgets/tracepanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace {
struct Speed {
    const char *label;
    double factor;
};
constexpr Speed speeds[] = {{"0.1x (slow motion)", 0.1}, {"0.25x", 0.25}, {"0.5x", 0.5}, {"1x (real time)", 1.0},
                            {"2x", 2.0}, {"5x", 5.0}, {"as fast as possible", 0.0}};
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_controller(new SimulationController(this)),
      m_nodeModel(new NodeTableModel(this)), m_roomModel(new RoomMatrixModel(this)),
      m_eventModel(new EventLogModel(this)), m_fleetView(new FleetView),
      m_nodeView(new QTableView), m_roomView(new QTableView), m_lossPanel(new LossPanel),
      m_tracePanel(new TracePanel), m_console(new ConsolePanel),
      m_rateChart(new TimeSeriesChart(tr("Message rates"), tr("per second"))),
      m_amplificationChart(new TimeSeriesChart(tr("Amplification"), tr("broker deliveries per publish"))),
      m_bytesChart(new TimeSeriesChart(tr("Bus egress"), tr("KiB per second"))),
      m_nodeChart(new TimeSeriesChart(tr("Socket deliveries per node"), tr("per second"))),
      m_latencyChart(new TimeSeriesChart(tr("Publish-to-socket latency"), tr("ms"))),
      m_scenarioBox(new QComboBox), m_speedBox(new QComboBox), m_rateBox(new QDoubleSpinBox),
      m_statusLabel(new QLabel)
{
    setWindowTitle(tr("Fanout Studio"));
    setObjectName(QStringLiteral("mainWindow"));
    setCentralWidget(m_fleetView);
    statusBar()->addPermanentWidget(m_statusLabel, 1);

    m_rateChart->setObjectName(QStringLiteral("rateChart"));
    m_amplificationChart->setObjectName(QStringLiteral("amplificationChart"));
    m_bytesChart->setObjectName(QStringLiteral("bytesChart"));
    m_nodeChart->setObjectName(QStringLiteral("nodeChart"));
    m_latencyChart->setObjectName(QStringLiteral("latencyChart"));
    m_rateChart->addSeries(tr("publishes/s"));
    m_rateChart->addSeries(tr("broker->node useful/s"));
    m_rateChart->addSeries(tr("broker->node wasted/s"));
    m_rateChart->addSeries(tr("socket deliveries/s"));
    m_amplificationChart->addSeries(tr("amplification"));
    m_bytesChart->addSeries(tr("bus egress KiB/s"));
    m_latencyChart->addSeries(tr("p50"));
    m_latencyChart->addSeries(tr("p99"));

    createActions();
    createToolBar();
    createDocks();

    connect(m_controller, &SimulationController::snapshotUpdated, this, &MainWindow::onSnapshot);
    connect(m_controller, &SimulationController::loaded, this, &MainWindow::onLoaded);
    connect(m_controller, &SimulationController::eventLogged, m_eventModel, &EventLogModel::append);
    connect(m_controller, &SimulationController::commandAnswered, m_console, &ConsolePanel::showAnswer);
    connect(m_console, &ConsolePanel::commandEntered, m_controller, &SimulationController::execute);
    restoreSettings();
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addDock(const QString &title, const QString &objectName, QWidget *widget,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    menuBar()->findChild<QMenu *>(QStringLiteral("viewMenu"))->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &text, const QString &name, const QList<QKeySequence> &keys,
                             const QString &tip, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcuts(keys);
        action->setStatusTip(tip);
        action->setToolTip(keys.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, keys.first().toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QMenu *simulation = menuBar()->addMenu(tr("&Simulation"));
    QMenu *faults = menuBar()->addMenu(tr("F&aults"));
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));

    file->addAction(make(tr("&Open scenario..."), QStringLiteral("actionOpenScenario"), {QKeySequence::Open},
                         tr("Load a scenario JSON file"), &MainWindow::openScenarioFile));
    file->addAction(make(tr("Export chart as &PNG..."), QStringLiteral("actionExportChart"), {},
                         tr("Save the message-rate chart as a PNG image"), &MainWindow::exportChart));
    file->addAction(make(tr("Export metrics as &CSV..."), QStringLiteral("actionExportCsv"), {},
                         tr("Save every sample of the charts as CSV"), &MainWindow::exportCsv));
    file->addAction(make(tr("Export &report as JSON..."), QStringLiteral("actionExportReport"), {},
                         tr("Save the accounting report, as fanout-studio --headless writes it"), &MainWindow::exportReport));
    file->addAction(make(tr("&Attach to Redis..."), QStringLiteral("actionAttach"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A)},
                         tr("Inspect a production Redis read-only: channels, nodes, connections, drift"), &MainWindow::attachToRedis));
    file->addSeparator();
    file->addAction(make(tr("&Quit"), QStringLiteral("actionQuit"), {QKeySequence::Quit}, tr("Quit"), &QWidget::close));

    simulation->addAction(make(tr("&Run"), QStringLiteral("actionRun"), {QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)},
                               tr("Run the simulation"), [this] { m_controller->run(); }));
    simulation->addAction(make(tr("&Pause"), QStringLiteral("actionPause"), {QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::Key_P)},
                               tr("Pause the simulation"), [this] { m_controller->pause(); }));
    simulation->addAction(make(tr("&Step"), QStringLiteral("actionStep"), {QKeySequence(Qt::Key_F10), QKeySequence(Qt::CTRL | Qt::Key_T)},
                               tr("Run one tick (10 ms of simulated time)"), [this] { m_controller->step(); }));
    simulation->addAction(make(tr("R&eset"), QStringLiteral("actionReset"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)},
                               tr("Start the current scenario again"),
                               [this] { startScenario(m_controller->scenario(), m_controller->redisUrl()); }));
    simulation->addAction(make(tr("&Fleet and broker..."), QStringLiteral("actionFleet"), {QKeySequence(Qt::CTRL | Qt::Key_F)},
                               tr("Change nodes, clients, rooms, payload size, or run on a real Redis"), &MainWindow::editFleet));

    faults->addAction(make(tr("&Kill node"), QStringLiteral("actionKillNode"), {QKeySequence(Qt::CTRL | Qt::Key_K)},
                           tr("Kill the selected node: its clients reconnect elsewhere"),
                           [this] { if (selectedNode() >= 0) m_controller->killNode(selectedNode()); }));
    faults->addAction(make(tr("R&estart node"), QStringLiteral("actionRestartNode"), {QKeySequence(Qt::CTRL | Qt::Key_E)},
                           tr("Restart the selected node"),
                           [this] { if (selectedNode() >= 0) m_controller->restartNode(selectedNode()); }));
    faults->addAction(make(tr("&Partition node"), QStringLiteral("actionPartitionNode"), {QKeySequence(Qt::CTRL | Qt::Key_D)},
                           tr("Cut the selected node from the broker"),
                           [this] { if (selectedNode() >= 0) m_controller->partitionNode(selectedNode()); }));
    faults->addAction(make(tr("&Heal node"), QStringLiteral("actionHealNode"), {QKeySequence(Qt::CTRL | Qt::Key_H)},
                           tr("Reconnect the selected node to the broker"),
                           [this] { if (selectedNode() >= 0) m_controller->healNode(selectedNode()); }));
    m_brokerDown = make(tr("&Broker down"), QStringLiteral("actionBrokerDown"), {QKeySequence(Qt::CTRL | Qt::Key_B)},
                        tr("Take the whole broker down (toggle)"), [this](bool down) { m_controller->setBrokerUp(!down); });
    m_brokerDown->setCheckable(true);
    faults->addAction(m_brokerDown);
    faults->addAction(make(tr("Make a client &slow..."), QStringLiteral("actionSlowClient"), {QKeySequence(Qt::CTRL | Qt::Key_L)},
                           tr("A client that consumes slowly: watch its queue fill and drop"), &MainWindow::makeClientSlow));
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Simulation"));
    bar->setObjectName(QStringLiteral("simulationToolBar"));
    for (const char *name : {"actionRun", "actionPause", "actionStep", "actionReset"})
        bar->addAction(findChild<QAction *>(QLatin1String(name)));
    bar->addSeparator();
    m_scenarioBox->setObjectName(QStringLiteral("scenarioBox"));
    m_scenarioBox->setToolTip(tr("Built-in scenarios"));
    for (const QString &name : fanout::Scenario::builtinNames())
        m_scenarioBox->addItem(name);
    connect(m_scenarioBox, &QComboBox::activated, this, &MainWindow::chooseScenario);
    bar->addWidget(new QLabel(tr(" Scenario ")));
    bar->addWidget(m_scenarioBox);
    bar->addSeparator();
    for (const Speed &speed : speeds)
        m_speedBox->addItem(tr(speed.label), speed.factor);
    m_speedBox->setCurrentIndex(3);
    m_speedBox->setToolTip(tr("Simulation speed: slow motion shows each message travel"));
    connect(m_speedBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const double factor = m_speedBox->itemData(index).toDouble();
        m_controller->setSpeed(factor);
        m_fleetView->setTravelMs(factor > 0 && factor < 1 ? int(900 / factor) : 900);
        QSettings().setValue(QStringLiteral("speed"), index);
    });
    bar->addWidget(new QLabel(tr(" Speed ")));
    bar->addWidget(m_speedBox);
    m_rateBox->setRange(0, 1000000);
    m_rateBox->setDecimals(0);
    m_rateBox->setSuffix(tr(" msg/s"));
    m_rateBox->setToolTip(tr("Publish rate of the whole fleet"));
    m_rateBox->setKeyboardTracking(false);
    connect(m_rateBox, &QDoubleSpinBox::valueChanged, m_controller, &SimulationController::setPublishRate);
    bar->addWidget(new QLabel(tr(" Rate ")));
    bar->addWidget(m_rateBox);
    bar->addSeparator();
    for (const char *name : {"actionKillNode", "actionRestartNode", "actionPartitionNode", "actionHealNode", "actionBrokerDown", "actionSlowClient"})
        bar->addAction(findChild<QAction *>(QLatin1String(name)));
    bar->addSeparator();
    bar->addAction(findChild<QAction *>(QStringLiteral("actionFleet")));
}

void MainWindow::createDocks()
{
    m_nodeView->setModel(m_nodeModel);
    m_nodeView->setObjectName(QStringLiteral("nodeView"));
    m_nodeView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_nodeView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_nodeView->verticalHeader()->hide();
    m_nodeView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_nodeView->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copyUrl = new QAction(tr("&Copy ws:// URL"), this);
    copyUrl->setObjectName(QStringLiteral("actionCopyUrl"));
    copyUrl->setShortcut(QKeySequence::Copy);
    connect(copyUrl, &QAction::triggered, this, &MainWindow::copyNodeUrl);
    m_nodeView->addAction(copyUrl);
    for (const char *name : {"actionKillNode", "actionRestartNode", "actionPartitionNode", "actionHealNode"})
        m_nodeView->addAction(findChild<QAction *>(QLatin1String(name)));
    auto *nodePanel = new QWidget;
    auto *nodeLayout = new QVBoxLayout(nodePanel);
    nodeLayout->setContentsMargins(2, 2, 2, 2);
    nodeLayout->addWidget(m_nodeView);
    auto *copyButton = new QPushButton(tr("Copy the selected node's ws:// URL"));
    copyButton->setObjectName(QStringLiteral("copyUrlButton"));
    connect(copyButton, &QPushButton::clicked, copyUrl, &QAction::trigger);
    nodeLayout->addWidget(copyButton);
    auto *hint = new QLabel(tr("Select a node for the fault buttons. Right-click to copy its ws:// URL and join "
                               "with <code>npx wscat -c 'URL?room=room-0'</code>: you see what its virtual clients see."));
    hint->setWordWrap(true);
    nodeLayout->addWidget(hint);
    QDockWidget *nodes = addDock(tr("Nodes"), QStringLiteral("nodesDock"), nodePanel, Qt::BottomDockWidgetArea);

    m_roomView->setModel(m_roomModel);
    m_roomView->setObjectName(QStringLiteral("roomView"));
    m_roomView->horizontalHeader()->setDefaultSectionSize(56);
    m_roomView->setToolTip(tr("Local members per room and node. Green: subscribed. Red: members but no "
                              "subscription (they miss everything). Yellow: subscribed with no member."));
    addDock(tr("Rooms x nodes"), QStringLiteral("roomsDock"), m_roomView, Qt::LeftDockWidgetArea);

    auto *amplification = new QWidget;
    auto *amplificationLayout = new QVBoxLayout(amplification);
    amplificationLayout->setContentsMargins(0, 0, 0, 0);
    amplificationLayout->addWidget(m_rateChart, 3);
    auto *smallCharts = new QHBoxLayout;
    smallCharts->addWidget(m_amplificationChart);
    smallCharts->addWidget(m_bytesChart);
    amplificationLayout->addLayout(smallCharts, 2);
    QDockWidget *amplificationDock = addDock(tr("Amplification"), QStringLiteral("amplificationDock"), amplification, Qt::RightDockWidgetArea);
    QDockWidget *nodeChart = addDock(tr("Per-node delivery"), QStringLiteral("nodeChartDock"), m_nodeChart, Qt::RightDockWidgetArea);
    QDockWidget *latency = addDock(tr("Latency"), QStringLiteral("latencyDock"), m_latencyChart, Qt::RightDockWidgetArea);
    tabifyDockWidget(amplificationDock, nodeChart);
    tabifyDockWidget(nodeChart, latency);
    amplificationDock->raise();

    addDock(tr("Loss"), QStringLiteral("lossDock"), m_lossPanel, Qt::LeftDockWidgetArea);

    auto *log = new QListView;
    log->setModel(m_eventModel);
    log->setObjectName(QStringLiteral("eventView"));
    connect(m_eventModel, &QAbstractItemModel::rowsInserted, log, &QListView::scrollToBottom);
    QDockWidget *events = addDock(tr("Event log"), QStringLiteral("eventsDock"), log, Qt::BottomDockWidgetArea);
    QDockWidget *traces = addDock(tr("Message trace"), QStringLiteral("traceDock"), m_tracePanel, Qt::BottomDockWidgetArea);
    QDockWidget *console = addDock(tr("Verification console"), QStringLiteral("consoleDock"), m_console, Qt::BottomDockWidgetArea);
    tabifyDockWidget(events, traces);
    tabifyDockWidget(traces, console);
    events->raise();
    splitDockWidget(nodes, events, Qt::Horizontal);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    resize(1440, 900);
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    const int speed = settings.value(QStringLiteral("speed"), 3).toInt();
    if (speed >= 0 && speed < m_speedBox->count())
        m_speedBox->setCurrentIndex(speed);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("scenario"), m_scenarioSource);
    event->accept();
}

void MainWindow::startScenario(const fanout::Scenario &scenario, const QString &redisUrl)
{
    m_history.clear();
    m_eventModel->clear();
    m_brokerDown->setChecked(false);
    const int builtin = m_scenarioBox->findText(scenario.name);
    if (builtin >= 0)
        m_scenarioBox->setCurrentIndex(builtin);
    m_rateBox->blockSignals(true);
    m_rateBox->setValue(scenario.publishRate);
    m_rateBox->blockSignals(false);
    m_console->setPrompt(redisUrl.isEmpty() ? QStringLiteral("in-process>") : redisUrl + QLatin1Char('>'));
    m_eventModel->append(0, tr("scenario %1 on %2: %3")
                                    .arg(scenario.name, redisUrl.isEmpty() ? tr("the in-process broker") : redisUrl,
                                         scenario.description));
    m_controller->load(scenario, redisUrl);
    delete m_progress;
    const bool onRedis = !redisUrl.isEmpty();
    m_progress = new QProgressDialog(onRedis ? tr("Connecting the fleet to %1...").arg(redisUrl)
                                             : tr("Setting up %1 nodes and %2 clients...").arg(scenario.nodes).arg(scenario.clients),
                                     onRedis ? tr("Use the in-process broker") : QString(), 0, 0, this);
    m_progress->setWindowModality(Qt::NonModal);
    m_progress->setMinimumDuration(300);
    if (onRedis) {
        connect(m_progress, &QProgressDialog::canceled, this, [this] {
            m_progress->deleteLater();
            m_progress = nullptr;
            startScenario(m_controller->scenario(), QString());
        });
    }
    m_controller->run();
}

void MainWindow::onLoaded(bool ok, const QString &error)
{
    if (ok)
        return;
    delete m_progress;
    m_progress = nullptr;
    m_eventModel->append(0, tr("error: %1").arg(error));
    QMessageBox::warning(this, tr("Cannot start the simulation"), error);
}

void MainWindow::onSnapshot(const fanout::SimSnapshot &snapshot)
{
    QElapsedTimer clock;
    clock.start();
    if (m_progress && snapshot.phase != QLatin1String("setup")) {
        m_progress->deleteLater();
        m_progress = nullptr;
    }
    m_nodeModel->setNodes(snapshot.nodes);
    m_roomModel->setSnapshot(snapshot);
    m_fleetView->setSnapshot(snapshot);
    m_lossPanel->setSnapshot(snapshot);
    m_tracePanel->setTraces(snapshot.recentTraces);
    if (m_history.add(snapshot))
        updateCharts();
    m_statusLabel->setText(tr("%1 on %2 | %3 | t = %4 s | %5 published, %6 delivered, %7 lost | amplification %8")
                                   .arg(snapshot.scenario, snapshot.broker, snapshot.phase)
                                   .arg(snapshot.simSeconds, 0, 'f', 2)
                                   .arg(snapshot.totals.published)
                                   .arg(snapshot.totals.delivered)
                                   .arg(snapshot.totals.lost)
                                   .arg(snapshot.amplification, 0, 'f', 2));
    m_lastRefreshMs = double(clock.nsecsElapsed()) / 1e6;
    emit refreshed();
}

void MainWindow::updateCharts()
{
    using Sample = MetricsHistory::Sample;
    m_rateChart->setPoints(0, m_history.series(&Sample::publishes));
    m_rateChart->setPoints(1, m_history.series(&Sample::busUseful));
    m_rateChart->setPoints(2, m_history.series(&Sample::busWasted));
    m_rateChart->setPoints(3, m_history.series(&Sample::socket));
    m_rateChart->rescale();
    m_amplificationChart->setPoints(0, m_history.series(&Sample::amplification));
    m_amplificationChart->rescale();
    QList<QPointF> kib = m_history.series(&Sample::busBytes);
    for (QPointF &point : kib)
        point.setY(point.y() / 1024.0);
    m_bytesChart->setPoints(0, kib);
    m_bytesChart->rescale();
    m_latencyChart->setPoints(0, m_history.series(&Sample::latencyP50));
    m_latencyChart->setPoints(1, m_history.series(&Sample::latencyP99));
    m_latencyChart->rescale();
    const auto &nodes = m_controller->lastSnapshot().nodes;
    if (m_nodeChart->seriesCount() != int(nodes.size())) {
        m_nodeChart->removeAllSeries();
        for (const auto &node : nodes)
            m_nodeChart->addSeries(node.id);
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
        m_nodeChart->setSeriesName(int(n), nodes[n].id);
        m_nodeChart->setPoints(int(n), m_history.nodeSeries(n));
    }
    m_nodeChart->rescale();
}

int MainWindow::selectedNode() const
{
    const QModelIndexList rows = m_nodeView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        statusBar()->showMessage(tr("Select a node in the Nodes table first"), 4000);
        return -1;
    }
    return rows.first().row();
}

void MainWindow::chooseScenario(int comboIndex)
{
    QString error;
    const auto scenario = fanout::Scenario::load(m_scenarioBox->itemText(comboIndex), &error);
    if (!scenario) {
        QMessageBox::warning(this, tr("Scenario"), error);
        return;
    }
    m_scenarioSource = scenario->name;
    startScenario(*scenario, m_controller->redisUrl());
}

void MainWindow::openScenarioFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open scenario"), QString(), tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    const auto scenario = fanout::Scenario::load(path, &error);
    if (!scenario) {
        QMessageBox::warning(this, tr("Cannot load the scenario"), error);
        return;
    }
    m_scenarioSource = path;
    startScenario(*scenario, m_controller->redisUrl());
}

void MainWindow::editFleet()
{
    FleetDialog dialog(m_controller->scenario(), m_controller->redisUrl(), this);
    if (dialog.exec() == QDialog::Accepted)
        startScenario(dialog.scenario(), dialog.redisUrl());
}

void MainWindow::attachToRedis()
{
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Attach to Redis"),
                                               tr("Redis URL (redis://[user:password@]host:port[/db]); the inspector is read-only:"),
                                               QLineEdit::Normal, QStringLiteral("redis://127.0.0.1:6379"), &ok);
    if (!ok)
        return;
    QString error;
    const auto url = fanout::RedisUrl::parse(text.trimmed(), &error);
    if (!url) {
        QMessageBox::warning(this, tr("Attach to Redis"), error);
        return;
    }
    auto *inspector = new InspectorWindow(*url, QStringLiteral("ws:room:"));
    inspector->setAttribute(Qt::WA_DeleteOnClose);
    inspector->show();
}

void MainWindow::makeClientSlow()
{
    bool ok = false;
    const int clients = m_controller->scenario().clients;
    if (clients == 0)
        return;
    const int client = QInputDialog::getInt(this, tr("Slow client"),
                                            tr("Client (0-%1) to make slow; it consumes %2 messages/s:")
                                                    .arg(clients - 1).arg(m_controller->scenario().slowDrainRate),
                                            0, 0, clients - 1, 1, &ok);
    if (ok)
        m_controller->setClientSlow(client, true);
}

void MainWindow::copyNodeUrl()
{
    const QModelIndexList rows = m_nodeView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const QString url = rows.first().data(NodeTableModel::UrlRole).toString();
    QApplication::clipboard()->setText(url);
    statusBar()->showMessage(tr("Copied %1").arg(url), 3000);
}

void MainWindow::exportChart()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QStringLiteral("rates.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !m_rateChart->grab().save(path, "PNG"))
        QMessageBox::warning(this, tr("Export"), tr("Cannot write %1").arg(path));
}

void MainWindow::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), QStringLiteral("metrics.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QStringList ids;
    for (const auto &node : m_controller->lastSnapshot().nodes)
        ids.append(node.id);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(m_history.toCsv(ids).toUtf8()) < 0)
        QMessageBox::warning(this, tr("Export"), tr("Cannot write %1: %2").arg(path, file.errorString()));
}

void MainWindow::exportReport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export report"), QStringLiteral("report.json"), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    const QByteArray json = QJsonDocument(m_controller->lastSnapshot().toReport()).toJson();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size())
        QMessageBox::warning(this, tr("Export"), tr("Cannot write %1: %2").arg(path, file.errorString()));
}
