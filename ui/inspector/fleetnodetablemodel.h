#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QAbstractTableModel>

/// The fleet's nodes from their registry records, with their two connections as Redis sees them.
class FleetNodeTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Status,
        Address,
        Rooms,
        Sessions,
        Received,
        Delivered,
        LagP99,
        SubscribeConnection,
        Subscriptions,
        OutputMemory,
        PublishConnection,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const fanout::InspectionSnapshot &snapshot);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    fanout::InspectionSnapshot m_snapshot;
};
