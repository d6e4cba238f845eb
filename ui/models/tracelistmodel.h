#pragma once

#include "sim/messagetrace.h"

#include <QAbstractTableModel>

/// The latest settled messages, newest first.
class TraceListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Message,
        Channel,
        Published,
        Expected,
        Delivered,
        Lost,
        ColumnCount
    };
    static constexpr int KeyRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setTraces(const std::vector<fanout::MessageTrace> &oldestFirst);
    const fanout::MessageTrace *trace(quint64 key) const;
    int rowOf(quint64 key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<fanout::MessageTrace> m_traces; ///< newest first
};
