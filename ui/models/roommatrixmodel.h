#pragma once

#include "sim/simsnapshot.h"

#include <QAbstractTableModel>

/// Rooms x nodes: the local members of each room on each node, and whether the node is
/// subscribed to the room's channel. A cell lights up with the room's first local member and
/// goes dark with the last, which is lazy subscription made visible.
class RoomMatrixModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int SubscribedRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const fanout::SimSnapshot &snapshot);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_rooms;
    QStringList m_nodes;
    std::vector<int> m_members;
    std::vector<bool> m_subscribed;
};
