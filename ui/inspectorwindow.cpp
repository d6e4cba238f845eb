#include "inspectorwindow.h"

#include "broker/hashslot.h"
#include "console/redisconsole.h"
#include "inspect/redisinspector.h"
#include "inspector/channeltablemodel.h"
#include "inspector/clienttablemodel.h"
#include "inspector/clustermastermodel.h"
#include "inspector/findinglistmodel.h"
#include "inspector/fleetnodetablemodel.h"
#include "widgets/consolepanel.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

QTableView *tableFor(QAbstractItemModel *model, bool sortable)
{
    auto *view = new QTableView;
    view->setModel(model);
    view->setSortingEnabled(sortable);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}

}

InspectorWindow::InspectorWindow(const fanout::RedisUrl &url, const QString &prefix, QWidget *parent)
    : QMainWindow(parent), m_inspector(new fanout::RedisInspector(url, this)), m_channels(new ChannelTableModel(this)),
      m_otherChannels(new ChannelTableModel(this)), m_channelFilter(new QSortFilterProxyModel(this)),
      m_nodes(new FleetNodeTableModel(this)), m_clients(new ClientTableModel(this)),
      m_masters(new ClusterMasterModel(this)), m_findings(new FindingListModel(this)), m_console(new ConsolePanel),
      m_drift(new QStackedWidget), m_noDrift(new QLabel), m_cluster(url.isCluster()), m_mode(new QLabel),
      m_summary(new QLabel), m_prefix(new QLineEdit(prefix)), m_urlText(url.toDisplayString())
{
    setObjectName(QStringLiteral("inspectorWindow"));
    resize(1200, 800);
    auto *closeWindow = new QAction(tr("Close"), this);
    // Ctrl+W everywhere: the platform's Close keys lack it on some (Ctrl+F4 only).
    QList<QKeySequence> closeKeys = QKeySequence::keyBindings(QKeySequence::Close);
    for (const QKeySequence &key : {QKeySequence(Qt::CTRL | Qt::Key_W), QKeySequence(Qt::Key_Escape)}) {
        if (!closeKeys.contains(key))
            closeKeys.append(key);
    }
    closeWindow->setShortcuts(closeKeys);
    connect(closeWindow, &QAction::triggered, this, &QWidget::close);
    addAction(closeWindow);
    createToolBar();
    createTabs();
    statusBar()->addPermanentWidget(m_summary, 1);
    m_console->setTarget(m_urlText);
    m_console->setWritesSwitchable(true);
    applyPrefix(prefix);
    connectInspector();
    updateMode(m_inspector->writesAllowed());
    m_summary->setText(tr("Connecting to %1...").arg(m_urlText));
    m_inspector->setRefreshInterval(2000);
    m_inspector->open();
}

void InspectorWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Inspector"));
    bar->setObjectName(QStringLiteral("inspectorToolBar"));
    m_mode->setObjectName(QStringLiteral("inspectorMode"));
    bar->addWidget(m_mode);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Prefix ")));
    m_prefix->setMaximumWidth(200);
    connect(m_prefix, &QLineEdit::editingFinished, this, [this] {
        applyPrefix(m_prefix->text());
        m_inspector->refresh();
    });
    bar->addWidget(m_prefix);
    auto *refresh = bar->addAction(tr("Refresh"), m_inspector, &fanout::RedisInspector::refresh);
    refresh->setShortcut(QKeySequence::Refresh);
    auto *interval = new QComboBox;
    interval->addItem(tr("every 1 s"), 1000);
    interval->addItem(tr("every 2 s"), 2000);
    interval->addItem(tr("every 5 s"), 5000);
    interval->addItem(tr("manually"), 0);
    interval->setCurrentIndex(1);
    connect(interval, &QComboBox::currentIndexChanged, this,
            [this, interval](int index) { m_inspector->setRefreshInterval(interval->itemData(index).toInt()); });
    bar->addWidget(interval);
    bar->addSeparator();
    m_sniff = bar->addAction(tr("Sniff message rates"));
    m_sniff->setCheckable(true);
    m_sniff->setEnabled(!m_cluster);
    connect(m_sniff, &QAction::toggled, this, &InspectorWindow::toggleSniffing);
    m_writes = bar->addAction(tr("Allow writes"));
    m_writes->setObjectName(QStringLiteral("actionAllowWrites"));
    m_writes->setCheckable(true);
    m_writes->setToolTip(tr("Let the console send commands that change the server, after a confirmation"));
    connect(m_writes, &QAction::triggered, this, &InspectorWindow::requestWrites);
}

void InspectorWindow::createTabs()
{
    m_tabs = new QTabWidget;
    auto *channelPage = new QWidget;
    auto *channelLayout = new QVBoxLayout(channelPage);
    auto *filter = new QLineEdit;
    filter->setPlaceholderText(tr("Filter channels (wildcards: *, ?)"));
    filter->setClearButtonEnabled(true);
    m_channelFilter->setSourceModel(m_channels);
    m_channelFilter->setFilterKeyColumn(ChannelTableModel::Channel);
    m_channelFilter->setSortRole(Qt::EditRole);
    connect(filter, &QLineEdit::textChanged, m_channelFilter,
            [this](const QString &text) { m_channelFilter->setFilterWildcard(text); });
    channelLayout->addWidget(filter);
    m_channelView = tableFor(m_channelFilter, true);
    m_otherChannelView = tableFor(m_otherChannels, false);
    m_clientView = tableFor(m_clients, false);
    // The owner of a channel's slot, and a client's master, mean something on a Cluster only.
    m_channelView->setColumnHidden(ChannelTableModel::Owner, !m_cluster);
    m_otherChannelView->setColumnHidden(ChannelTableModel::Owner, !m_cluster);
    m_clientView->setColumnHidden(ClientTableModel::Master, !m_cluster);
    const int addressWidth = fontMetrics().horizontalAdvance(QStringLiteral("255.255.255.255:65535  "));
    m_channelView->setColumnWidth(ChannelTableModel::Owner, addressWidth);
    m_otherChannelView->setColumnWidth(ChannelTableModel::Owner, addressWidth);
    m_clientView->setColumnWidth(ClientTableModel::Master, addressWidth);
    channelLayout->addWidget(m_channelView);
    // On a Cluster the first tab keeps what nodes subscribe to there: the shard channels.
    m_tabs->addTab(channelPage, m_cluster ? tr("Shard channels") : tr("Channels"));
    m_tabs->addTab(m_otherChannelView, m_cluster ? tr("Classic channels") : tr("Sharded channels"));
    if (m_cluster) {
        auto *masters = new QTreeView;
        masters->setObjectName(QStringLiteral("inspectorMasters"));
        masters->setModel(m_masters);
        masters->setUniformRowHeights(true);
        m_tabs->addTab(masters, tr("Masters"));
    }
    m_tabs->addTab(tableFor(m_nodes, false), tr("Nodes"));
    m_tabs->addTab(m_clientView, tr("Clients"));
    auto *findings = new QListView;
    findings->setModel(m_findings);
    findings->setWordWrap(true);
    // A blank list would not tell "nothing wrong" from "not read yet".
    m_noDrift->setObjectName(QStringLiteral("inspectorNoDrift"));
    m_noDrift->setAlignment(Qt::AlignCenter);
    m_noDrift->setWordWrap(true);
    m_noDrift->setText(tr("Waiting for the first inspection..."));
    m_drift->addWidget(m_noDrift);
    m_drift->addWidget(findings);
    m_tabs->addTab(m_drift, tr("Drift"));
    m_tabs->addTab(m_console, tr("Console"));
    setCentralWidget(m_tabs);
}

void InspectorWindow::connectInspector()
{
    connect(m_console, &ConsolePanel::commandEntered, m_inspector->console(), &fanout::RedisConsole::execute);
    connect(m_inspector->console(), &fanout::RedisConsole::answered, m_console, &ConsolePanel::showAnswer);
    connect(m_console, &ConsolePanel::writesRequested, m_inspector, &fanout::RedisInspector::setWritesAllowed);
    connect(m_inspector, &fanout::RedisInspector::modeChanged, this, &InspectorWindow::updateMode);
    connect(m_inspector, &fanout::RedisInspector::snapshotReady, this, &InspectorWindow::onSnapshot);
    connect(m_inspector, &fanout::RedisInspector::connected, m_inspector, &fanout::RedisInspector::refresh);
    connect(m_inspector, &fanout::RedisInspector::connected, this,
            [this] { statusBar()->showMessage(tr("Connected to %1").arg(m_urlText), 3000); });
    connect(m_inspector, &fanout::RedisInspector::errorOccurred, this, [this](const QString &message) {
        m_summary->setText(tr("Cannot reach %1: %2 (retrying)").arg(m_urlText, message));
    });
}

void InspectorWindow::applyPrefix(const QString &prefix)
{
    m_inspector->setPrefix(prefix);
    m_console->setPrefix(prefix);
    if (m_cluster) {
        m_sniff->setToolTip(tr("Not on a Redis Cluster: nodes publish there with SPUBLISH, which no pattern "
                               "subscription sees."));
        return;
    }
    m_sniff->setToolTip(tr("PSUBSCRIBE %1* on a second connection to count messages per channel. Every pattern "
                           "subscription costs Redis CPU on every PUBLISH: leave it off on a busy server.")
                            .arg(prefix));
}

void InspectorWindow::updateMode(bool writesAllowed)
{
    ConsolePanel::showWriteMode(m_mode, writesAllowed);
    setWindowTitle(
        tr("Fanout Studio inspector - %1 - %2").arg(m_urlText, writesAllowed ? tr("WRITES ALLOWED") : tr("read-only")));
    m_writes->setChecked(writesAllowed);
    m_console->setWritesAllowed(writesAllowed);
}

void InspectorWindow::requestWrites(bool allow)
{
    // The console panel asks for the confirmation, the same one as its own "Allow writes" box.
    m_console->requestWrites(allow);
    m_writes->setChecked(m_inspector->writesAllowed());
}

void InspectorWindow::toggleSniffing(bool sniff)
{
    m_inspector->setSniffing(sniff);
}

void InspectorWindow::onSnapshot(const fanout::InspectionSnapshot &snapshot)
{
    m_channels->setChannels(snapshot.roomChannels());
    m_otherChannels->setChannels(snapshot.cluster ? snapshot.channels : snapshot.shardChannels);
    m_nodes->setSnapshot(snapshot);
    m_clients->setSnapshot(snapshot);
    m_masters->setCluster(snapshot.cluster);
    m_findings->setFindings(snapshot.findings);
    m_noDrift->setText(
        tr("No drift: every node's registry matches Redis (%1 node(s), %2 room channel(s); "
           "checked %3).")
            .arg(snapshot.nodes.size())
            .arg(snapshot.roomChannels().size())
            .arg(QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs).toString(QStringLiteral("HH:mm:ss"))));
    m_drift->setCurrentIndex(snapshot.findings.empty() ? 0 : 1);
    int errors = 0;
    for (const auto &finding : snapshot.findings)
        errors += finding.severity == fanout::DriftFinding::Severity::Error;
    m_summary->setText(
        tr("%1: %2 channel(s) under %3, %4 sharded%5, %6 node(s), %7 client(s), %8 finding(s) (%9 error(s))%10")
            .arg(m_urlText)
            .arg(snapshot.channels.size())
            .arg(snapshot.prefix)
            .arg(snapshot.shardChannels.size())
            .arg(snapshot.shardedSupported ? QString() : tr(" (unsupported)"))
            .arg(snapshot.nodes.size())
            .arg(snapshot.clients.size())
            .arg(snapshot.findings.size())
            .arg(errors)
            .arg(snapshot.errors.isEmpty() ? QString() : tr("; ") + snapshot.errors.join(QLatin1String("; "))));
    m_summary->setText(m_summary->text() + topologySummary(snapshot));
}

QString InspectorWindow::topologySummary(const fanout::InspectionSnapshot &snapshot)
{
    if (snapshot.sentinel) {
        const QString replicas = snapshot.sentinel->replicas.join(QLatin1String(", "));
        return tr("; primary of \"%1\" at %2, replicas: %3")
            .arg(snapshot.sentinel->masterName, snapshot.sentinel->primary, replicas.isEmpty() ? tr("none") : replicas);
    }
    if (!snapshot.cluster)
        return {};
    // Each master's slots and channels are in the Masters tab.
    return tr("; Redis Cluster of %1 master(s), %2 of %3 slots covered (slot map from %4)")
        .arg(snapshot.cluster->masters.size())
        .arg(snapshot.cluster->slotsCovered())
        .arg(fanout::HashSlot::Count)
        .arg(snapshot.cluster->slotMapFrom);
}
