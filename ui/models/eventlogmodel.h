#pragma once

#include <QAbstractListModel>

#include <deque>

/// The simulation's events, oldest first, capped so a long run cannot grow it without bound.
class EventLogModel : public QAbstractListModel
{
    Q_OBJECT
public:
    static constexpr int Capacity = 5000;

    using QAbstractListModel::QAbstractListModel;

    void append(double simSeconds, const QString &text);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::deque<QString> m_lines;
};
