#include "roommatrixmodel.h"

#include <QBrush>
#include <QColor>

void RoomMatrixModel::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    QStringList nodes;
    for (const auto &node : snapshot.nodes)
        nodes.append(node.id);
    const bool shapeChanged = snapshot.rooms != m_rooms || nodes.size() != m_nodes.size();
    if (shapeChanged)
        beginResetModel();
    m_rooms = snapshot.rooms;
    const bool namesChanged = nodes != m_nodes;
    m_nodes = nodes;
    m_members = snapshot.roomMembers;
    m_subscribed = snapshot.roomSubscribed;
    if (shapeChanged) {
        endResetModel();
        return;
    }
    if (namesChanged && !m_nodes.isEmpty())
        emit headerDataChanged(Qt::Horizontal, 0, int(m_nodes.size()) - 1);
    if (!m_rooms.isEmpty() && !m_nodes.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

int RoomMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

int RoomMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nodes.size());
}

QVariant RoomMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const size_t cell = size_t(index.row()) * size_t(m_nodes.size()) + size_t(index.column());
    if (cell >= m_members.size())
        return {};
    const int members = m_members[cell];
    const bool subscribed = m_subscribed[cell];
    switch (role) {
    case Qt::DisplayRole:
        return members > 0 ? QVariant(members) : QVariant(QString());
    case SubscribedRole:
        return subscribed;
    case Qt::BackgroundRole:
        if (subscribed && members > 0)
            return QBrush(QColor(0x81, 0xc7, 0x84));
        if (members > 0)
            return QBrush(QColor(0xe5, 0x73, 0x73)); // members without a subscription: they miss everything
        if (subscribed)
            return QBrush(QColor(0xff, 0xe0, 0x82)); // a subscription nobody here reads
        return {};
    case Qt::ToolTipRole:
        return tr("%1 on %2: %3 local member(s), %4")
            .arg(m_rooms.at(index.row()), m_nodes.at(index.column()))
            .arg(members)
            .arg(subscribed ? tr("subscribed") : tr("not subscribed"));
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    }
    return {};
}

QVariant RoomMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (orientation == Qt::Horizontal && section >= 0 && section < m_nodes.size())
        return m_nodes.at(section);
    if (orientation == Qt::Vertical && section >= 0 && section < m_rooms.size())
        return m_rooms.at(section);
    return QAbstractTableModel::headerData(section, orientation, role);
}
