#include "eventlogmodel.h"

void EventLogModel::append(double simSeconds, const QString &text)
{
    if (int(m_lines.size()) >= Capacity) {
        beginRemoveRows({}, 0, 0);
        m_lines.pop_front();
        endRemoveRows();
    }
    const int row = int(m_lines.size());
    beginInsertRows({}, row, row);
    m_lines.push_back(QStringLiteral("t=%1 s  %2").arg(simSeconds, 7, 'f', 2).arg(text));
    endInsertRows();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
        return m_lines[size_t(index.row())];
    return {};
}
