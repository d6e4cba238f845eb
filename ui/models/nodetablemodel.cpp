#include "nodetablemodel.h"

#include <QBrush>
#include <QColor>

void NodeTableModel::setNodes(const std::vector<fanout::SimNodeSnapshot> &nodes)
{
    if (nodes.size() != m_nodes.size()) {
        beginResetModel();
        m_nodes = nodes;
        endResetModel();
        return;
    }
    m_nodes = nodes;
    if (!m_nodes.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int NodeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nodes.size());
}

int NodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::SimNodeSnapshot &node = m_nodes[size_t(index.row())];
    if (role == UrlRole)
        return node.url.toString();
    if (role == Qt::BackgroundRole && index.column() == State) {
        switch (node.state) {
        case fanout::SimNodeState::Down:
            return QBrush(QColor(0xe5, 0x73, 0x73));
        case fanout::SimNodeState::Partitioned:
        case fanout::SimNodeState::LocalOnly:
            return QBrush(QColor(0xff, 0xcc, 0x80));
        case fanout::SimNodeState::Up:
            break;
        }
        return QBrush(QColor(0xa5, 0xd6, 0xa7));
    }
    if (role == Qt::ToolTipRole && index.column() == Url)
        return tr("Join this node's room R with: npx wscat -c '%1?room=R'").arg(node.url.toString());
    if (role == Qt::ToolTipRole && index.column() == Clients)
        return tr("%1 virtual clients and %2 real WebSocket clients (wscat, a browser)")
            .arg(node.clients - node.externalClients)
            .arg(node.externalClients);
    if (role == Qt::TextAlignmentRole && index.column() >= Clients && index.column() != Slow)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id:
        return node.id;
    case State:
        return fanout::nodeStateName(node.state);
    case Url:
        return node.url.toString();
    case Clients:
        if (node.externalClients > 0)
            return tr("%1 (%2 external)").arg(node.clients).arg(node.externalClients);
        return node.clients;
    case Rooms:
        return node.rooms;
    case Subscriptions:
        return node.subscriptions;
    case Received:
        return qulonglong(node.received);
    case Useful:
        return qulonglong(node.useful);
    case Wasted:
        return qulonglong(node.wasted);
    case Delivered:
        return qulonglong(node.delivered);
    case Slow: {
        QStringList slow;
        for (const int client : node.slowClients)
            slow.append(QStringLiteral("v%1").arg(client));
        return slow.join(QStringLiteral(", "));
    }
    }
    return {};
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    // Two lines where a title has two words: the table fits beside the event log on a 1280-pixel
    // screen.
    static const char *titles[]
        = {"Node",         "State",  "ws:// URL", "Clients",     "Rooms",        "Subscriptions",
           "From\nbroker", "Useful", "Wasted",    "To\nsockets", "Slow\nclients"};
    return tr(titles[section]);
}
