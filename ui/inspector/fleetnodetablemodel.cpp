#include "fleetnodetablemodel.h"

#include <QBrush>
#include <QColor>

namespace {

/// A node's rate from its record (messages per second over its last 10 s); none from a node too
/// old to write one.
QVariant rate(double perSecond)
{
    return perSecond < 0 ? QVariant() : QVariant(qRound64(perSecond));
}

QColor stateColor(fanout::FleetNode::State state)
{
    switch (state) {
    case fanout::FleetNode::State::Alive:
        return {0xa5, 0xd6, 0xa7};
    case fanout::FleetNode::State::Suspect:
        return {0xff, 0xcc, 0x80};
    case fanout::FleetNode::State::Vanished:
        break;
    }
    return {0xe5, 0x73, 0x73};
}

}

void FleetNodeTableModel::setSnapshot(const fanout::InspectionSnapshot &snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    endResetModel();
}

int FleetNodeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_snapshot.nodes.size());
}

int FleetNodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetNodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::FleetNode &node = m_snapshot.nodes[size_t(index.row())];
    const fanout::ClientInfo *sub
        = node.subscribeClient >= 0 ? &m_snapshot.clients[size_t(node.subscribeClient)] : nullptr;
    const fanout::ClientInfo *pub = node.publishClient >= 0 ? &m_snapshot.clients[size_t(node.publishClient)] : nullptr;
    if (role == Qt::BackgroundRole && index.column() == Status)
        return QBrush(stateColor(node.state));
    if (role == Qt::ToolTipRole && index.column() == Status && node.state == fanout::FleetNode::State::Suspect)
        return tr("Its record is fresh, but Redis lists neither of its connections: it crashed or lost Redis.");
    if (role == Qt::ToolTipRole && index.column() == Rooms)
        return node.record.rooms.join(QLatin1String(", "));
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Id:
        return node.record.id;
    case Status:
        return fanout::FleetNode::stateName(node.state);
    case Address:
        return node.record.address;
    case Rooms:
        return qlonglong(node.record.roomCount);
    case Sessions:
        return qlonglong(node.record.sessions);
    case Received:
        return rate(node.record.receivedPerSecond);
    case Delivered:
        return rate(node.record.deliveredPerSecond);
    case LagP99:
        return node.record.lagP99Ms < 0 ? QVariant() : QVariant(node.record.lagP99Ms);
    case SubscribeConnection:
        return sub ? sub->address : tr("none");
    case Subscriptions:
        return sub ? QVariant(qlonglong(sub->subscriptions)) : QVariant();
    case OutputMemory:
        return sub ? QVariant(qlonglong(sub->outputMemory)) : QVariant();
    case PublishConnection:
        return pub ? pub->address : tr("none");
    }
    return {};
}

QVariant FleetNodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *titles[] = {"Node",       "Status",        "Address",      "Rooms",          "Sessions",
                                   "Received/s", "Delivered/s",   "Lag p99 (ms)", "sub connection", "Its subscriptions",
                                   "Its omem",   "pub connection"};
    return tr(titles[section]);
}
