#pragma once

#include "metricshistory.h"
#include "sim/simsnapshot.h"

#include <QWidget>

#include <memory>
#include <vector>

class QGroupBox;
class QLabel;
class LossPanel;
class TimeSeriesChart;

/// Fleets side by side, for a scenario whose delivery is "both": for each fleet its delivery
/// mode, its loss accounting and a chart of on-time, recovered and lost deliveries per second,
/// so the trade-off between pub/sub and streams shows at a glance.
class ComparisonPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonPanel(QWidget *parent = nullptr);
    ~ComparisonPanel() override;

    /// Forgets the fleets of the previous run.
    void clear();
    void setSnapshot(int fleet, const fanout::SimSnapshot &snapshot);
    int fleetCount() const { return int(m_columns.size()); }

private:
    struct Column {
        QGroupBox *box = nullptr;
        QLabel *summary = nullptr;
        LossPanel *loss = nullptr;
        TimeSeriesChart *chart = nullptr;
        MetricsHistory history;
    };
    Column &column(int fleet);

    QLabel *m_placeholder;
    std::vector<std::unique_ptr<Column>> m_columns;
};
