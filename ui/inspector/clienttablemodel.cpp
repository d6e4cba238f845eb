#include "clienttablemodel.h"

#include <QBrush>
#include <QColor>

void ClientTableModel::setSnapshot(const fanout::InspectionSnapshot &snapshot)
{
    beginResetModel();
    m_clients = snapshot.clients;
    m_softLimit = snapshot.pubsubSoftLimit;
    m_masters.clear();
    if (snapshot.cluster) {
        m_masters.resize(m_clients.size());
        for (const fanout::ClusterMaster &master : snapshot.cluster->masters) {
            for (int c = master.firstClient; c < master.firstClient + master.clientCount && c < int(m_masters.size());
                 ++c)
                m_masters[size_t(c)] = master.address;
        }
    }
    endResetModel();
}

int ClientTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_clients.size());
}

int ClientTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClientTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::ClientInfo &client = m_clients[size_t(index.row())];
    const bool nearLimit = client.isSubscriber() && m_softLimit > 0 && client.outputMemory * 2 >= m_softLimit;
    if (role == Qt::BackgroundRole && nearLimit)
        return QBrush(QColor(0xff, 0xcc, 0x80));
    if (role == Qt::ToolTipRole && nearLimit)
        return tr("Output buffer near the pubsub limit: Redis will disconnect this subscriber");
    if (role == Qt::TextAlignmentRole && index.column() >= Age && index.column() <= OutputMemory)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Master:
        return size_t(index.row()) < m_masters.size() ? m_masters[size_t(index.row())] : QString();
    case Name:
        return client.name;
    case Address:
        return client.address;
    case Age:
        return qlonglong(client.ageSeconds);
    case Idle:
        return qlonglong(client.idleSeconds);
    case Subscriptions:
        return qlonglong(client.subscriptions);
    case Patterns:
        return qlonglong(client.patternSubscriptions);
    case Shard:
        return qlonglong(client.shardSubscriptions);
    case OutputMemory:
        return qlonglong(client.outputMemory);
    case Command:
        return client.lastCommand;
    }
    return {};
}

QVariant ClientTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *titles[]
        = {"Master", "Name", "Address", "Age s", "Idle s", "sub", "psub", "ssub", "omem bytes", "Last command"};
    return tr(titles[section]);
}
