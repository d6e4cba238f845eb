#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QAbstractListModel>

/// The drift detector's findings, most severe first.
class FindingListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    static constexpr int KindRole = Qt::UserRole + 1;

    using QAbstractListModel::QAbstractListModel;

    void setFindings(std::vector<fanout::DriftFinding> findings);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::vector<fanout::DriftFinding> m_findings;
};
