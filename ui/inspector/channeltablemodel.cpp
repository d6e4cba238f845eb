#include "channeltablemodel.h"

void ChannelTableModel::setChannels(const std::vector<fanout::ChannelInfo> &channels)
{
    bool sameNames = channels.size() == m_channels.size();
    for (size_t i = 0; sameNames && i < channels.size(); ++i)
        sameNames = channels[i].channel == m_channels[i].channel;
    if (sameNames) {
        m_channels = channels;
        if (m_shown > 0)
            emit dataChanged(index(0, 0), index(m_shown - 1, ColumnCount - 1));
        return;
    }
    // Remove and insert rather than reset: a reset lets views and testers fetch more rows while
    // it is still being announced.
    if (m_shown > 0) {
        beginRemoveRows({}, 0, m_shown - 1);
        m_shown = 0;
        m_channels.clear();
        endRemoveRows();
    }
    const int firstPage = std::min<int>(PageSize, int(channels.size()));
    if (firstPage == 0) {
        m_channels = channels;
        return;
    }
    beginInsertRows({}, 0, firstPage - 1);
    m_channels = channels;
    m_shown = firstPage;
    endInsertRows();
}

int ChannelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

int ChannelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool ChannelTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_shown < int(m_channels.size());
}

void ChannelTableModel::fetchMore(const QModelIndex &parent)
{
    // The page arrives on the next turn of the event loop: a view (or a model tester) asks for
    // more while it handles a change, and must not see a second change begin inside the first.
    if (parent.isValid() || m_fetchPending)
        return;
    m_fetchPending = true;
    QMetaObject::invokeMethod(this, &ChannelTableModel::appendPage, Qt::QueuedConnection);
}

void ChannelTableModel::appendPage()
{
    m_fetchPending = false;
    const int more = std::min<int>(PageSize, int(m_channels.size()) - m_shown);
    if (more <= 0)
        return;
    beginInsertRows({}, m_shown, m_shown + more - 1);
    m_shown += more;
    endInsertRows();
}

QVariant ChannelTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::ChannelInfo &channel = m_channels[size_t(index.row())];
    if (role == Qt::TextAlignmentRole && index.column() >= Subscribers)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Owner && !channel.owner.isEmpty())
        return tr("The master that owns the slot of %1").arg(channel.channel);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Channel:
        return channel.channel;
    case Room:
        return channel.room;
    case Owner:
        return channel.owner;
    case Subscribers:
        return qlonglong(channel.subscribers);
    case Rate:
        return channel.messagesPerSecond < 0 ? QVariant() : QVariant(channel.messagesPerSecond);
    }
    return {};
}

QVariant ChannelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *titles[] = {"Channel", "Room", "Owner", "Subscribers", "Messages/s (sniffed)"};
    return tr(titles[section]);
}
