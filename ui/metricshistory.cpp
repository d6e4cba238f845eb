#include "metricshistory.h"

void MetricsHistory::clear()
{
    m_samples.clear();
    m_all.clear();
    m_hasPrevious = false;
}

bool MetricsHistory::add(const fanout::SimSnapshot &snapshot)
{
    if (!m_hasPrevious) {
        m_previous = snapshot;
        m_hasPrevious = true;
        return false;
    }
    const double dt = snapshot.simSeconds - m_previous.simSeconds;
    if (dt < 0)
        m_previous = snapshot; // another run: rates start from here
    if (dt <= 0)
        return false;
    const auto rate = [dt](quint64 now, quint64 before) { return now >= before ? double(now - before) / dt : 0.0; };
    const quint64 usefulNow = snapshot.busDeliveries - snapshot.wastedNodeDeliveries;
    const quint64 usefulBefore = m_previous.busDeliveries - m_previous.wastedNodeDeliveries;
    Sample sample;
    sample.time = snapshot.simSeconds;
    sample.publishes = rate(snapshot.busPublishes, m_previous.busPublishes);
    sample.busUseful = rate(usefulNow, usefulBefore);
    sample.busWasted = rate(snapshot.wastedNodeDeliveries, m_previous.wastedNodeDeliveries);
    sample.socket = rate(snapshot.socketDeliveries, m_previous.socketDeliveries);
    const auto &totals = snapshot.totals;
    const auto &before = m_previous.totals;
    sample.onTime = rate(totals.onTime(), before.onTime());
    sample.recovered = rate(totals.recovered, before.recovered);
    sample.lost = rate(totals.lost, before.lost);
    sample.amplification = sample.publishes > 0 ? (sample.busUseful + sample.busWasted) / sample.publishes : 0;
    sample.busBytes = rate(snapshot.busBytes, m_previous.busBytes);
    sample.latencyP50 = snapshot.latencyP50Ms;
    sample.latencyP99 = snapshot.latencyP99Ms;
    for (size_t n = 0; n < snapshot.nodes.size(); ++n) {
        const quint64 before = n < m_previous.nodes.size() ? m_previous.nodes[n].delivered : 0;
        sample.nodeDeliveries.push_back(rate(snapshot.nodes[n].delivered, before));
    }
    m_previous = snapshot;
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
