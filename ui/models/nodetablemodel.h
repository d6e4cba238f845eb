#pragma once

#include "sim/simsnapshot.h"

#include <QAbstractTableModel>

/// The fleet's nodes, one row each, from the latest snapshot.
class NodeTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        State,
        Url,
        Clients,
        Rooms,
        Subscriptions,
        Received,
        Useful,
        Wasted,
        Delivered,
        Slow, ///< the node's slow virtual clients, "v3, v7"
        ColumnCount
    };
    static constexpr int UrlRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setNodes(const std::vector<fanout::SimNodeSnapshot> &nodes);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<fanout::SimNodeSnapshot> m_nodes;
};
