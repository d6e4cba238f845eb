#pragma once

#include "sim/simsnapshot.h"

#include <QPointF>
#include <QString>

#include <deque>
#include <vector>

/// Rates over time, derived from successive snapshots (per simulated second), kept in a fixed
/// window for the charts and exported whole as CSV.
class MetricsHistory
{
public:
    struct Sample {
        double time = 0; ///< simulated seconds
        double publishes = 0;
        double busUseful = 0;
        double busWasted = 0;
        double socket = 0;
        double onTime = 0; ///< ledger deliveries on time
        double recovered = 0; ///< ledger deliveries recovered
        double lost = 0; ///< deliveries settled as lost
        double amplification = 0;
        double busBytes = 0;
        double latencyP50 = 0;
        double latencyP99 = 0;
        std::vector<double> nodeDeliveries;
    };

    static constexpr size_t ChartWindow = 600;

    void clear();
    /// Adds a sample when simulated time has advanced since the previous snapshot.
    bool add(const fanout::SimSnapshot &snapshot);
    const std::deque<Sample> &samples() const { return m_samples; }
    /// The last ChartWindow values of one metric as chart points.
    QList<QPointF> series(double Sample::*metric) const;
    QList<QPointF> nodeSeries(size_t node) const;
    QString toCsv(const QStringList &nodeIds) const;

private:
    std::deque<Sample> m_samples;
    std::vector<Sample> m_all;
    fanout::SimSnapshot m_previous;
    bool m_hasPrevious = false;
};
