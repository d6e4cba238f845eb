#include "metricshistory.h"

void MetricsHistory::clear()
{
    m_samples.clear();
    m_all.clear();
    m_recent.clear();
}

MetricsHistory::Counters MetricsHistory::countersOf(const fanout::SimSnapshot &snapshot)
{
    Counters counters;
    counters.time = snapshot.simSeconds;
    counters.publishes = snapshot.busPublishes;
    counters.useful = snapshot.busDeliveries - snapshot.wastedNodeDeliveries;
    counters.wasted = snapshot.wastedNodeDeliveries;
    counters.socket = snapshot.socketDeliveries;
    counters.onTime = snapshot.totals.onTime();
    counters.recovered = snapshot.totals.recovered;
    counters.lost = snapshot.totals.lost;
    counters.bytes = snapshot.busBytes;
    for (const auto &node : snapshot.nodes)
        counters.nodeDelivered.push_back(node.delivered);
    return counters;
}

bool MetricsHistory::add(const fanout::SimSnapshot &snapshot)
{
    Counters now = countersOf(snapshot);
    if (!m_recent.empty() && now.time < m_recent.back().time)
        m_recent.clear(); // another run: rates start from here
    if (m_recent.empty() || now.time <= m_recent.back().time) {
        if (m_recent.empty())
            m_recent.push_back(std::move(now));
        return false;
    }
    while (m_recent.size() > 1 && m_recent[1].time <= now.time - RateWindowSeconds)
        m_recent.pop_front();
    const Counters &from = m_recent.front();
    const double dt = now.time - from.time;
    const auto rate
        = [dt](quint64 after, quint64 before) { return after >= before ? double(after - before) / dt : 0.0; };
    Sample sample;
    sample.time = now.time;
    sample.publishes = rate(now.publishes, from.publishes);
    sample.busUseful = rate(now.useful, from.useful);
    sample.busWasted = rate(now.wasted, from.wasted);
    sample.socket = rate(now.socket, from.socket);
    sample.onTime = rate(now.onTime, from.onTime);
    sample.recovered = rate(now.recovered, from.recovered);
    sample.lost = rate(now.lost, from.lost);
    sample.amplification = sample.publishes > 0 ? (sample.busUseful + sample.busWasted) / sample.publishes : 0;
    sample.busBytes = rate(now.bytes, from.bytes);
    sample.latencyP50 = snapshot.latencyP50Ms;
    sample.latencyP99 = snapshot.latencyP99Ms;
    for (size_t n = 0; n < now.nodeDelivered.size(); ++n) {
        const quint64 before = n < from.nodeDelivered.size() ? from.nodeDelivered[n] : 0;
        sample.nodeDeliveries.push_back(rate(now.nodeDelivered[n], before));
    }
    m_recent.push_back(std::move(now));
    m_all.push_back(sample);
    m_samples.push_back(std::move(sample));
    while (m_samples.size() > ChartWindow)
        m_samples.pop_front();
    return true;
}

QList<QPointF> MetricsHistory::series(double Sample::*metric) const
{
    QList<QPointF> points;
    points.reserve(qsizetype(m_samples.size()));
    for (const Sample &sample : m_samples)
        points.append({sample.time, sample.*metric});
    return points;
}

QList<QPointF> MetricsHistory::nodeSeries(size_t node) const
{
    QList<QPointF> points;
    points.reserve(qsizetype(m_samples.size()));
    for (const Sample &sample : m_samples)
        points.append({sample.time, node < sample.nodeDeliveries.size() ? sample.nodeDeliveries[node] : 0.0});
    return points;
}

QString MetricsHistory::toCsv(const QStringList &nodeIds) const
{
    QStringList header {"sim_seconds",      "publishes_per_s",         "bus_useful_per_s",
                        "bus_wasted_per_s", "socket_deliveries_per_s", "amplification",
                        "bus_bytes_per_s",  "latency_p50_ms",          "latency_p99_ms",
                        "on_time_per_s",    "recovered_per_s",         "lost_per_s"};
    for (const QString &id : nodeIds)
        header.append(QStringLiteral("delivered_per_s_%1").arg(id));
    QString csv = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const Sample &s : m_all) {
        QStringList row {
            QString::number(s.time, 'f', 3), QString::number(s.publishes),  QString::number(s.busUseful),
            QString::number(s.busWasted),    QString::number(s.socket),     QString::number(s.amplification),
            QString::number(s.busBytes),     QString::number(s.latencyP50), QString::number(s.latencyP99),
            QString::number(s.onTime),       QString::number(s.recovered),  QString::number(s.lost)};
        for (qsizetype n = 0; n < nodeIds.size(); ++n)
            row.append(QString::number(size_t(n) < s.nodeDeliveries.size() ? s.nodeDeliveries[size_t(n)] : 0.0));
        csv += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}
