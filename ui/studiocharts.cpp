#include "studiocharts.h"

#include "metricshistory.h"
#include "widgets/timeserieschart.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

StudioCharts::StudioCharts()
    : m_rateChart(new TimeSeriesChart(tr("Message rates"), tr("messages/s"))),
      m_amplificationChart(new TimeSeriesChart(tr("Amplification"), tr("deliveries/publish"))),
      m_bytesChart(new TimeSeriesChart(tr("Bus egress"), tr("KiB/s"))),
      m_nodeChart(new TimeSeriesChart(tr("Socket deliveries per node"), tr("per second"))),
      m_latencyChart(new TimeSeriesChart(tr("Publish-to-socket latency"), tr("ms"))), m_amplificationPage(new QWidget)
{
    m_rateChart->setObjectName(QStringLiteral("rateChart"));
    m_amplificationChart->setObjectName(QStringLiteral("amplificationChart"));
    m_bytesChart->setObjectName(QStringLiteral("bytesChart"));
    m_nodeChart->setObjectName(QStringLiteral("nodeChart"));
    m_latencyChart->setObjectName(QStringLiteral("latencyChart"));
    // Short names: a legend entry longer than its share of the chart's width is elided.
    m_rateChart->addSeries(tr("publishes"));
    m_rateChart->addSeries(tr("to nodes"));
    m_rateChart->addSeries(tr("wasted"));
    m_rateChart->addSeries(tr("to sockets"));
    m_amplificationChart->addSeries(tr("amplification"));
    m_bytesChart->addSeries(tr("bus egress"));
    // Side by side in a third of the dock: their one series is named by the title.
    m_amplificationChart->setCompact(true);
    m_bytesChart->setCompact(true);
    m_latencyChart->addSeries(tr("p50"));
    m_latencyChart->addSeries(tr("p99"));

    auto *layout = new QVBoxLayout(m_amplificationPage);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_rateChart, 3);
    auto *smallCharts = new QHBoxLayout;
    smallCharts->addWidget(m_amplificationChart);
    smallCharts->addWidget(m_bytesChart);
    layout->addLayout(smallCharts, 2);
}

void StudioCharts::update(const MetricsHistory &history, const std::vector<fanout::SimNodeSnapshot> &nodes)
{
    using Sample = MetricsHistory::Sample;
    m_rateChart->setPoints(0, history.series(&Sample::publishes));
    m_rateChart->setPoints(1, history.series(&Sample::busUseful));
    m_rateChart->setPoints(2, history.series(&Sample::busWasted));
    m_rateChart->setPoints(3, history.series(&Sample::socket));
    m_rateChart->rescale();
    m_amplificationChart->setPoints(0, history.series(&Sample::amplification));
    m_amplificationChart->rescale();
    QList<QPointF> kib = history.series(&Sample::busBytes);
    for (QPointF &point : kib)
        point.setY(point.y() / 1024.0);
    m_bytesChart->setPoints(0, kib);
    m_bytesChart->rescale();
    m_latencyChart->setPoints(0, history.series(&Sample::latencyP50));
    m_latencyChart->setPoints(1, history.series(&Sample::latencyP99));
    m_latencyChart->rescale();
    updateNodeChart(history, nodes);
}

void StudioCharts::clear()
{
    for (TimeSeriesChart *chart : charts()) {
        for (int series = 0; series < chart->seriesCount(); ++series)
            chart->setPoints(series, {});
        chart->setMarkers({});
        chart->rescale();
    }
}

void StudioCharts::setMarkers(const QList<TimeSeriesChart::Marker> &markers)
{
    for (TimeSeriesChart *chart : charts())
        chart->setMarkers(markers);
}

QList<TimeSeriesChart *> StudioCharts::charts() const
{
    return {m_rateChart, m_amplificationChart, m_bytesChart, m_nodeChart, m_latencyChart};
}

void StudioCharts::updateNodeChart(const MetricsHistory &history, const std::vector<fanout::SimNodeSnapshot> &nodes)
{
    if (m_nodeChart->seriesCount() != int(nodes.size())) {
        m_nodeChart->removeAllSeries();
        for (const auto &node : nodes)
            m_nodeChart->addSeries(node.id);
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
        m_nodeChart->setSeriesName(int(n), nodes[n].id);
        m_nodeChart->setPoints(int(n), history.nodeSeries(n));
    }
    m_nodeChart->rescale();
}
