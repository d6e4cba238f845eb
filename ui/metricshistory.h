#pragma once

#include "sim/simsnapshot.h"

#include <QPointF>
#include <QString>

#include <deque>
#include <vector>

/// Rates over time, derived from successive snapshots, kept in a fixed window for the charts and
/// exported whole as CSV. Each rate is the average over the last RateWindowSeconds of simulated
/// time, whatever the speed: in slow motion successive snapshots are one tick apart, and a rate
/// per snapshot would swing between 0 and a peak with each publish.
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
    static constexpr double RateWindowSeconds = 1.0;

    void clear();
    /// Adds a sample when simulated time has advanced since the previous snapshot.
    bool add(const fanout::SimSnapshot &snapshot);
    const std::deque<Sample> &samples() const { return m_samples; }
    /// The last ChartWindow values of one metric as chart points.
    QList<QPointF> series(double Sample::*metric) const;
    QList<QPointF> nodeSeries(size_t node) const;
    QString toCsv(const QStringList &nodeIds) const;

private:
    /// The cumulative counters of one snapshot that rates are taken from.
    struct Counters {
        double time = 0;
        quint64 publishes = 0;
        quint64 useful = 0;
        quint64 wasted = 0;
        quint64 socket = 0;
        quint64 onTime = 0;
        quint64 recovered = 0;
        quint64 lost = 0;
        quint64 bytes = 0;
        std::vector<quint64> nodeDelivered;
    };
    static Counters countersOf(const fanout::SimSnapshot &snapshot);

    std::deque<Sample> m_samples;
    std::vector<Sample> m_all;
    /// Oldest first; the first is at or before the start of the rate window.
    std::deque<Counters> m_recent;
};
