#include "presencetablemodel.h"

#include <QBrush>
#include <QColor>

void PresenceTableModel::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    QSet<QString> live;
    for (const fanout::SimNodeSnapshot &node : snapshot.nodes) {
        if (node.state != fanout::SimNodeState::Down)
            live.insert(node.id);
    }
    const bool sameRows = snapshot.presence.size() == m_rows.size()
        && std::equal(m_rows.cbegin(), m_rows.cend(), snapshot.presence.cbegin(), [](const auto &a, const auto &b) {
                              return a.room == b.room && a.user == b.user && a.node == b.node;
                          });
    if (!sameRows)
        beginResetModel();
    m_rows = snapshot.presence;
    m_liveNodes = live;
    if (!sameRows)
        endResetModel();
    else if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int PresenceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PresenceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PresenceTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::SimPresenceEntry &row = m_rows[size_t(index.row())];
    const bool nodeGone = !m_liveNodes.contains(row.node);
    if (role == Qt::BackgroundRole && nodeGone)
        return QBrush(QColor(0xff, 0xcc, 0x80));
    if (role == Qt::ToolTipRole && nodeGone)
        return tr("%1 is down: this entry stays until it expires, then the room hears presence_left").arg(row.node);
    if (role == Qt::TextAlignmentRole && index.column() >= Connections)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Room:
        return row.room;
    case User:
        return row.user;
    case Node:
        return nodeGone ? tr("%1 (down)").arg(row.node) : row.node;
    case Connections:
        return row.connections;
    case ExpiresIn:
        return tr("%1 s").arg(double(std::max<qint64>(0, row.expiresInMs)) / 1000.0, 0, 'f', 1);
    default:
        return {};
    }
}

QVariant PresenceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Room:
        return tr("Room");
    case User:
        return tr("User");
    case Node:
        return tr("Node");
    case Connections:
        return tr("Connections");
    case ExpiresIn:
        return tr("Expires in");
    default:
        return {};
    }
}
