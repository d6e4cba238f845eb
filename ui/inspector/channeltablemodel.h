#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QAbstractTableModel>

/// Channels under the inspected prefix with their subscriber counts (and rates when sniffing), and
/// on a Cluster the master that owns each one's slot.
/// Rows are handed to views a page at a time (canFetchMore/fetchMore), so 100,000 channels cost
/// the view only what it shows; sort and filter it through a QSortFilterProxyModel.
class ChannelTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Channel,
        Room,
        Owner,
        Subscribers,
        Rate,
        ColumnCount
    };
    static constexpr int PageSize = 1000;

    using QAbstractTableModel::QAbstractTableModel;

    void setChannels(const std::vector<fanout::ChannelInfo> &channels);
    int totalCount() const { return int(m_channels.size()); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    void appendPage();

    std::vector<fanout::ChannelInfo> m_channels;
    int m_shown = 0;
    bool m_fetchPending = false;
};
