#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QAbstractTableModel>

/// CLIENT LIST: every connection, fan-out nodes by name; subscribers whose output buffer nears
/// the pubsub limit are marked. On a Cluster, every master's, each with the master it is on.
class ClientTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Master,
        Name,
        Address,
        Age,
        Idle,
        Subscriptions,
        Patterns,
        Shard,
        OutputMemory,
        Command,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const fanout::InspectionSnapshot &snapshot);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<fanout::ClientInfo> m_clients;
    std::vector<QString> m_masters; ///< on a Cluster, the master of each client; else empty
    qint64 m_softLimit = 0;
};
