#include "tracelistmodel.h"

void TraceListModel::setTraces(const std::vector<fanout::MessageTrace> &oldestFirst)
{
    const quint64 newest = oldestFirst.empty() ? 0 : oldestFirst.back().key;
    const quint64 current = m_traces.empty() ? 0 : m_traces.front().key;
    if (newest == current && oldestFirst.size() == m_traces.size())
        return;
    beginResetModel();
    m_traces.assign(oldestFirst.rbegin(), oldestFirst.rend());
    endResetModel();
}

const fanout::MessageTrace *TraceListModel::trace(quint64 key) const
{
    const int row = rowOf(key);
    return row < 0 ? nullptr : &m_traces[size_t(row)];
}

int TraceListModel::rowOf(quint64 key) const
{
    for (size_t i = 0; i < m_traces.size(); ++i) {
        if (m_traces[i].key == key)
            return int(i);
    }
    return -1;
}

int TraceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_traces.size());
}

int TraceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::MessageTrace &trace = m_traces[size_t(index.row())];
    if (role == KeyRole)
        return qulonglong(trace.key);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Message:
        return QStringLiteral("%1 #%2").arg(trace.origin).arg(trace.id);
    case Channel:
        return QString::fromUtf8(trace.channel);
    case Published:
        return QStringLiteral("%1 s").arg(trace.publishedAt, 0, 'f', 2);
    case Expected:
        return qulonglong(trace.expected);
    case Delivered:
        return qulonglong(trace.delivered);
    case Lost:
        return qulonglong(trace.lost);
    }
    return {};
}

QVariant TraceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *titles[] = {"Message", "Channel", "Published", "Expected", "Delivered", "Lost"};
    return tr(titles[section]);
}
