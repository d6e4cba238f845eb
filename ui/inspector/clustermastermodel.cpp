#include "clustermastermodel.h"

#include "broker/hashslot.h"

#include <QBrush>
#include <QColor>

namespace {

/// The internal id of a master's row; a channel's row carries its master's row + 1.
constexpr quintptr MasterRow = 0;

}

void ClusterMasterModel::setCluster(const std::optional<fanout::ClusterInfo> &cluster)
{
    std::vector<fanout::ClusterMaster> masters = cluster ? cluster->masters : std::vector<fanout::ClusterMaster>();
    if (!hasSameShape(masters)) {
        beginResetModel();
        m_masters = std::move(masters);
        endResetModel();
        return;
    }
    m_masters = std::move(masters);
    if (m_masters.empty())
        return;
    emit dataChanged(index(0, 0), index(int(m_masters.size()) - 1, ColumnCount - 1));
    for (size_t m = 0; m < m_masters.size(); ++m) {
        const int channels = int(m_masters[m].shardChannels.size());
        const QModelIndex master = index(int(m), 0);
        if (channels > 0)
            emit dataChanged(index(0, 0, master), index(channels - 1, ColumnCount - 1, master));
    }
}

bool ClusterMasterModel::hasSameShape(const std::vector<fanout::ClusterMaster> &masters) const
{
    if (masters.size() != m_masters.size())
        return false;
    for (size_t m = 0; m < masters.size(); ++m) {
        const std::vector<fanout::ChannelInfo> &now = masters[m].shardChannels;
        const std::vector<fanout::ChannelInfo> &before = m_masters[m].shardChannels;
        if (masters[m].address != m_masters[m].address || now.size() != before.size())
            return false;
        for (size_t c = 0; c < now.size(); ++c) {
            if (now[c].channel != before[c].channel)
                return false;
        }
    }
    return true;
}

QModelIndex ClusterMasterModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, MasterRow);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ClusterMasterModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == MasterRow)
        return {};
    return createIndex(int(child.internalId() - 1), 0, MasterRow);
}

int ClusterMasterModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_masters.size());
    if (parent.internalId() != MasterRow || parent.column() != 0)
        return 0;
    return int(m_masters[size_t(parent.row())].shardChannels.size());
}

int ClusterMasterModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ClusterMasterModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == MasterRow)
        return masterData(m_masters[size_t(index.row())], index.column(), role);
    const fanout::ClusterMaster &master = m_masters[size_t(index.internalId() - 1)];
    return channelData(master.shardChannels[size_t(index.row())], index.column(), role);
}

QVariant ClusterMasterModel::masterData(const fanout::ClusterMaster &master, int column, int role) const
{
    if (role == Qt::BackgroundRole && !master.error.isEmpty())
        return QBrush(QColor(0xe5, 0x73, 0x73));
    if (role == Qt::ToolTipRole && column == Name && !master.error.isEmpty())
        return master.error;
    if (role == Qt::ToolTipRole && column == NodeConnections) {
        QStringList lines;
        for (const fanout::MasterNodeConnections &node : master.nodes) {
            lines.append(tr("%1: %2 pub, %3 sub holding %4 shard channel(s)")
                             .arg(node.node)
                             .arg(node.publishConnections)
                             .arg(node.subscribeConnections)
                             .arg(node.shardSubscriptions));
        }
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::TextAlignmentRole && column >= ShardChannels && column != NodeConnections)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (column) {
    case Name:
        return master.address;
    case Slots:
        return tr("%1 (%2 slots)").arg(master.slotRangeTexts().join(QLatin1String(", "))).arg(master.slotCount());
    case ShardChannels:
        return qlonglong(master.shardChannels.size());
    case Subscribers:
        return qlonglong(master.subscribers());
    case NodeConnections: {
        int publish = 0;
        int subscribe = 0;
        for (const fanout::MasterNodeConnections &node : master.nodes) {
            publish += node.publishConnections;
            subscribe += node.subscribeConnections;
        }
        return tr("%1 node(s): %2 pub, %3 sub").arg(master.nodes.size()).arg(publish).arg(subscribe);
    }
    case Clients:
        return master.clientCount;
    }
    return {};
}

QVariant ClusterMasterModel::channelData(const fanout::ChannelInfo &channel, int column, int role) const
{
    if (role == Qt::ToolTipRole && column == Name)
        return tr("room %1, slot owned by %2").arg(channel.room, channel.owner);
    if (role == Qt::TextAlignmentRole && column != Name)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (column) {
    case Name:
        return channel.channel;
    case Slots:
        return int(fanout::HashSlot::of(channel.channel.toUtf8()));
    case Subscribers:
        return qlonglong(channel.subscribers);
    }
    return {};
}

QVariant ClusterMasterModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractItemModel::headerData(section, orientation, role);
    static const char *titles[] = {"Master / shard channel",    "Slots / slot",     "Shard channels",
                                   "Subscribers (SHARDNUMSUB)", "Node connections", "Clients"};
    return tr(titles[section]);
}
