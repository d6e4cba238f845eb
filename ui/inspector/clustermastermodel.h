#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QAbstractItemModel>

/// A Redis Cluster's masters with their slots, shard channels, subscribers (the sum of their
/// SHARDNUMSUB) and the fan-out nodes' connections to them; under each master, its shard channels
/// with their slot and SHARDNUMSUB. Empty unless the inspected URL names a Cluster. A refresh that
/// changes only counts updates the rows in place, so a view keeps what it has expanded.
class ClusterMasterModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        Name, ///< the master's host:port, or the shard channel
        Slots, ///< the master's slot ranges, or the channel's slot
        ShardChannels,
        Subscribers,
        NodeConnections,
        Clients,
        ColumnCount
    };

    using QAbstractItemModel::QAbstractItemModel;

    void setCluster(const std::optional<fanout::ClusterInfo> &cluster);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// Whether masters lists the same masters with the same channels, in the same order.
    bool hasSameShape(const std::vector<fanout::ClusterMaster> &masters) const;
    QVariant masterData(const fanout::ClusterMaster &master, int column, int role) const;
    QVariant channelData(const fanout::ChannelInfo &channel, int column, int role) const;

    std::vector<fanout::ClusterMaster> m_masters;
};
