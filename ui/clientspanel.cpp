#include "clientspanel.h"

#include "models/fleetclienttablemodel.h"
#include "simulationcontroller.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

using fanout::ScenarioStep;

namespace {

QAction *makeAction(const QString &text, const char *name, const QString &tip, QWidget *parent)
{
    auto *action = new QAction(text, parent);
    action->setObjectName(QLatin1String(name));
    action->setToolTip(tip);
    action->setEnabled(false);
    return action;
}

QPushButton *buttonFor(QAction *action)
{
    auto *button = new QPushButton(action->text());
    button->setObjectName(action->objectName() + QStringLiteral("Button"));
    button->setToolTip(action->toolTip());
    button->setEnabled(action->isEnabled());
    QObject::connect(button, &QPushButton::clicked, action, &QAction::trigger);
    QObject::connect(action, &QAction::enabledChanged, button, &QPushButton::setEnabled);
    return button;
}

}

ClientsPanel::ClientsPanel(SimulationController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_model(new FleetClientTableModel(this)),
      m_byNode(new QSortFilterProxyModel(this)), m_byRoom(new QSortFilterProxyModel(this)), m_nodes(new QComboBox),
      m_rooms(new QComboBox), m_view(new QTableView), m_note(new QLabel)
{
    // Two filters in a row: the node column must be one node, the rooms column must hold the room.
    m_byNode->setSourceModel(m_model);
    m_byNode->setFilterKeyColumn(FleetClientTableModel::Node);
    m_byRoom->setSourceModel(m_byNode);
    m_byRoom->setFilterKeyColumn(FleetClientTableModel::Rooms);
    m_byRoom->setSortRole(FleetClientTableModel::SortRole);
    m_nodes->setObjectName(QStringLiteral("clientsNodeFilter"));
    m_rooms->setObjectName(QStringLiteral("clientsRoomFilter"));
    m_nodes->addItem(tr("All nodes"));
    m_rooms->addItem(tr("All rooms"));
    connect(m_nodes, &QComboBox::currentIndexChanged, this, &ClientsPanel::filter);
    connect(m_rooms, &QComboBox::currentIndexChanged, this, &ClientsPanel::filter);

    m_view->setObjectName(QStringLiteral("clientsView"));
    m_view->setModel(m_byRoom);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetClientTableModel::Client, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ClientsPanel::updateActions);

    m_makeSlow = makeAction(tr("Make slow"), "clientsMakeSlow",
                            tr("The client consumes slow_drain_rate messages/s from now on (virtual clients)"), this);
    m_makeFast = makeAction(tr("Fast again"), "clientsMakeFast", tr("The client consumes at full speed again"), this);
    m_disconnect = makeAction(tr("Disconnect"), "clientsDisconnect",
                              tr("Its node closes the connection: a virtual client reconnects after "
                                 "reconnect_delay_ms, a real one is closed with 1000"),
                              this);
    for (QAction *action : {m_makeSlow, m_makeFast, m_disconnect}) {
        m_view->addAction(action);
        connect(action, &QAction::triggered, this, [this, action] { act(action); });
    }

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_nodes);
    filters->addWidget(m_rooms);
    filters->addStretch();
    for (QAction *action : {m_makeSlow, m_makeFast, m_disconnect})
        filters->addWidget(buttonFor(action));
    m_note->setObjectName(QStringLiteral("clientsNote"));
    m_note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(m_view);
    layout->addWidget(m_note);
    connect(controller, &SimulationController::snapshotUpdated, this, &ClientsPanel::setSnapshot);
}

void ClientsPanel::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    QStringList nodes;
    for (const fanout::SimNodeSnapshot &node : snapshot.nodes)
        nodes.append(node.id);
    setChoices(m_nodes, nodes);
    QStringList rooms = snapshot.rooms;
    for (const fanout::SimExternalClientSnapshot &session : snapshot.externalSessions) {
        for (const QString &room : session.rooms) {
            if (!rooms.contains(room))
                rooms.append(room);
        }
    }
    setChoices(m_rooms, rooms);
    m_model->setSnapshot(snapshot);
    const QLocale locale;
    const int virtualClients = m_controller->scenario().clients;
    m_note->setText(
        size_t(virtualClients) > snapshot.clients.size()
            ? tr("The first %1 of %2 virtual clients, and every real WebSocket client.")
                  .arg(locale.toString(qulonglong(snapshot.clients.size())), locale.toString(virtualClients))
            : tr("Real WebSocket clients (wscat, a browser) on a node's ws:// URL are listed as external."));
    updateActions();
}

void ClientsPanel::setChoices(QComboBox *combo, const QStringList &names)
{
    QStringList current;
    for (int i = 1; i < combo->count(); ++i)
        current.append(combo->itemText(i));
    if (current == names)
        return;
    const QString chosen = combo->currentIndex() > 0 ? combo->currentText() : QString();
    const QSignalBlocker blocker(combo);
    while (combo->count() > 1)
        combo->removeItem(1);
    combo->addItems(names);
    combo->setCurrentIndex(std::max(0, combo->findText(chosen)));
}

void ClientsPanel::filter()
{
    const auto exactly = [](QComboBox *combo, const QString &around) {
        return combo->currentIndex() > 0
            ? QRegularExpression(around.arg(QRegularExpression::escape(combo->currentText())))
            : QRegularExpression();
    };
    m_byNode->setFilterRegularExpression(exactly(m_nodes, QStringLiteral("^%1$")));
    m_byRoom->setFilterRegularExpression(exactly(m_rooms, QStringLiteral("(^|, )%1(,|$)")));
    updateActions();
}

void ClientsPanel::updateActions()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const QModelIndex row = rows.isEmpty() ? QModelIndex() : rows.first();
    const bool isVirtual = row.isValid() && row.data(FleetClientTableModel::VirtualIndexRole).toInt() >= 0;
    const bool slow = row.isValid() && !row.siblingAtColumn(FleetClientTableModel::Slow).data().toString().isEmpty();
    m_makeSlow->setEnabled(isVirtual && !slow);
    m_makeFast->setEnabled(isVirtual && slow);
    m_disconnect->setEnabled(row.isValid());
}

void ClientsPanel::act(QAction *action)
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const int client = rows.first().data(FleetClientTableModel::VirtualIndexRole).toInt();
    if (client < 0) {
        if (action == m_disconnect)
            m_controller->disconnectSession(rows.first().data(FleetClientTableModel::SessionIdRole).toString());
        return;
    }
    const ScenarioStep::Action step = action == m_makeSlow ? ScenarioStep::Action::SlowClient
        : action == m_makeFast                             ? ScenarioStep::Action::FastClient
                                                           : ScenarioStep::Action::DisconnectClient;
    m_controller->apply(ScenarioStep::onClient(step, client));
}
