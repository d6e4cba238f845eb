#pragma once

#include "sim/simsnapshot.h"

#include <QAbstractTableModel>
#include <QSet>

/// Who is present where, from the latest snapshot: one row per room, user and node holding the
/// user's connections, with the time left before the entry expires unless refreshed. A node
/// that is down shows as such: its users stay until their entries expire.
class PresenceTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Room,
        User,
        Node,
        Connections,
        ExpiresIn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const fanout::SimSnapshot &snapshot);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<fanout::SimPresenceEntry> m_rows;
    QSet<QString> m_liveNodes;
};
