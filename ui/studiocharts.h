#pragma once

#include "sim/simsnapshot.h"
#include "widgets/timeserieschart.h"

#include <QCoreApplication>

#include <vector>

class QWidget;
class MetricsHistory;

/// The studio's five charts and how MetricsHistory feeds them. The widgets are created without a
/// parent: the window places them in its docks, which own them from then on.
class StudioCharts
{
    Q_DECLARE_TR_FUNCTIONS(StudioCharts)
public:
    StudioCharts();

    /// Message rates above amplification and bus egress: the Amplification dock's page.
    QWidget *amplificationPage() const { return m_amplificationPage; }
    TimeSeriesChart *rateChart() const { return m_rateChart; }
    TimeSeriesChart *nodeChart() const { return m_nodeChart; }
    TimeSeriesChart *latencyChart() const { return m_latencyChart; }

    /// Redraws every chart from `history`; the per-node chart gets one series per node.
    void update(const MetricsHistory &history, const std::vector<fanout::SimNodeSnapshot> &nodes);
    /// Empties every chart: a new run must not show the previous one's curves until it has data.
    void clear();
    /// The faults every chart marks on its time axis.
    void setMarkers(const QList<TimeSeriesChart::Marker> &markers);

private:
    QList<TimeSeriesChart *> charts() const;
    void updateNodeChart(const MetricsHistory &history, const std::vector<fanout::SimNodeSnapshot> &nodes);

    TimeSeriesChart *m_rateChart;
    TimeSeriesChart *m_amplificationChart;
    TimeSeriesChart *m_bytesChart;
    TimeSeriesChart *m_nodeChart;
    TimeSeriesChart *m_latencyChart;
    QWidget *m_amplificationPage;
};
