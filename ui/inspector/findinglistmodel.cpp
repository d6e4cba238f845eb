#include "findinglistmodel.h"

#include <QBrush>
#include <QColor>

void FindingListModel::setFindings(std::vector<fanout::DriftFinding> findings)
{
    std::stable_sort(findings.begin(), findings.end(),
                     [](const auto &a, const auto &b) { return int(a.severity) > int(b.severity); });
    beginResetModel();
    m_findings = std::move(findings);
    endResetModel();
}

int FindingListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_findings.size());
}

QVariant FindingListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fanout::DriftFinding &finding = m_findings[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("[%1] %2").arg(fanout::DriftFinding::severityName(finding.severity), finding.detail);
    case KindRole:
        return finding.kind;
    case Qt::BackgroundRole:
        if (finding.severity == fanout::DriftFinding::Severity::Error)
            return QBrush(QColor(0xff, 0xcd, 0xd2));
        if (finding.severity == fanout::DriftFinding::Severity::Warning)
            return QBrush(QColor(0xff, 0xec, 0xb3));
        return {};
    }
    return {};
}
