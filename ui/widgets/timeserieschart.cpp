#include "timeserieschart.h"

#include <QLineSeries>
#include <QValueAxis>

// The chart is given at construction: QChartView(parent) makes a default chart, which
// setChart() would release without deleting.
TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent)
    : QChartView(new QChart, parent), m_time(new QValueAxis), m_values(new QValueAxis)
{
    QChart *chart = this->chart();
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_time->setTitleText(tr("simulated seconds"));
    m_time->setLabelFormat(QStringLiteral("%.0f"));
    m_values->setTitleText(unit);
    m_values->setLabelFormat(QStringLiteral("%.3g"));
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_values, Qt::AlignLeft);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(260, 180);
}

int TimeSeriesChart::addSeries(const QString &name)
{
    auto *series = new QLineSeries;
    series->setName(name);
    series->setUseOpenGL(false);
    chart()->addSeries(series);
    series->attachAxis(m_time);
    series->attachAxis(m_values);
    m_series.append(series);
    return int(m_series.size()) - 1;
}

void TimeSeriesChart::setSeriesName(int series, const QString &name)
{
    m_series.at(series)->setName(name);
}

void TimeSeriesChart::setPoints(int series, const QList<QPointF> &points)
{
    m_series.at(series)->replace(points);
}

qsizetype TimeSeriesChart::pointCount(int series) const
{
    return m_series.at(series)->count();
}

void TimeSeriesChart::removeAllSeries()
{
    chart()->removeAllSeries();
    m_series.clear();
}

void TimeSeriesChart::rescale()
{
    double minTime = 0, maxTime = 1, maxValue = 0;
    bool any = false;
    for (const QLineSeries *series : std::as_const(m_series)) {
        const QList<QPointF> points = series->points();
        if (points.isEmpty())
            continue;
        minTime = any ? std::min(minTime, points.first().x()) : points.first().x();
        maxTime = any ? std::max(maxTime, points.last().x()) : points.last().x();
        any = true;
        for (const QPointF &point : points)
            maxValue = std::max(maxValue, point.y());
    }
    m_time->setRange(minTime, std::max(maxTime, minTime + 1));
    m_values->setRange(0, maxValue > 0 ? maxValue * 1.1 : 1);
}
