#include "timeserieschart.h"

#include <QCursor>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

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
    // Round intervals from 0, not a fixed tick count: five ticks over [0, 1] labelled "%.0f"
    // read "0 0 0 1 1".
    m_time->setTickType(QValueAxis::TicksDynamic);
    m_time->setTickAnchor(0);
    m_values->setTitleText(unit);
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_values, Qt::AlignLeft);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(220, 150);
    rescale();
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
    const int index = int(m_series.size()) - 1;
    connect(series, &QLineSeries::hovered, this,
            [this, index](const QPointF &point, bool state) { showValue(index, point, state); });
    return index;
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

void TimeSeriesChart::setCompact(bool compact)
{
    chart()->legend()->setVisible(!compact);
    m_time->setTitleVisible(!compact);
    QFont font = chart()->titleFont();
    font.setPointSizeF(compact ? std::max(7.0, QFont().pointSizeF() - 1) : QFont().pointSizeF());
    chart()->setTitleFont(font);
    m_values->setTitleFont(font);
}

void TimeSeriesChart::setMarkers(const QList<Marker> &markers)
{
    m_markers = markers;
    viewport()->update();
}

TimeSeriesChart::TimeTicks TimeSeriesChart::timeTicks(double min, double max)
{
    const double span = std::max(max - min, 1e-9);
    const double raw = span / (MaxTimeTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double interval = 10 * magnitude;
    for (const double factor : {1.0, 2.0, 5.0}) {
        if (factor * magnitude >= raw) {
            interval = factor * magnitude;
            break;
        }
    }
    const int decimals = std::max(0, int(-std::floor(std::log10(interval) + 1e-9)));
    return {interval, decimals};
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
    maxTime = std::max(maxTime, minTime + 1);
    const TimeTicks ticks = timeTicks(minTime, maxTime);
    m_time->setRange(minTime, maxTime);
    m_time->setTickInterval(ticks.interval);
    m_time->setLabelFormat(QStringLiteral("%.%1f").arg(ticks.decimals));
    m_values->setRange(0, maxValue > 0 ? maxValue * 1.1 : 1);
    // Round ticks, labelled with the decimals they need: "%.3g" wrote 1760 as "1.76e+03".
    m_values->applyNiceNumbers();
    const double step = (m_values->max() - m_values->min()) / std::max(1, m_values->tickCount() - 1);
    m_values->setLabelFormat(QStringLiteral("%.%1f").arg(std::clamp(int(-std::floor(std::log10(step) + 1e-9)), 0, 3)));
    viewport()->update(); // the fault markers move with the axis
}

QString TimeSeriesChart::describe(int series, double time) const
{
    const QList<QPointF> points = m_series.at(series)->points();
    if (points.isEmpty())
        return {};
    const auto after = std::lower_bound(points.begin(), points.end(), time,
                                        [](const QPointF &point, double t) { return point.x() < t; });
    auto nearest = after == points.end() ? std::prev(after) : after;
    if (after != points.begin() && std::abs(std::prev(after)->x() - time) < std::abs(nearest->x() - time))
        nearest = std::prev(after);
    return tr("%1\nt = %2 s\n%3 %4")
        .arg(m_series.at(series)->name())
        .arg(nearest->x(), 0, 'f', 2)
        .arg(nearest->y(), 0, 'g', 4)
        .arg(m_values->titleText());
}

void TimeSeriesChart::showValue(int series, const QPointF &point, bool entering)
{
    if (entering)
        QToolTip::showText(QCursor::pos(), describe(series, point.x()), this);
    else
        QToolTip::hideText();
}

void TimeSeriesChart::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    if (m_markers.isEmpty() || m_series.isEmpty())
        return;
    const QRectF plot = chart()->plotArea();
    painter->save();
    QPen pen(QColor(0xc6, 0x28, 0x28));
    pen.setStyle(Qt::DashLine);
    QFont font = painter->font();
    font.setPointSizeF(std::max(6.5, font.pointSizeF() - 2));
    painter->setFont(font);
    const QFontMetrics metrics(font);
    int row = 0;
    for (const Marker &marker : std::as_const(m_markers)) {
        const double x = chart()->mapToPosition(QPointF(marker.time, 0), m_series.first()).x();
        if (x < plot.left() || x > plot.right())
            continue;
        painter->setPen(pen);
        painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        // Neighbouring faults take turns on three rows so that their names do not overlap; a
        // name goes left of its line when the right edge is nearer.
        const bool left = plot.right() - x < x - plot.left();
        const int room = int(left ? x - plot.left() : plot.right() - x) - 4;
        const QString name = metrics.elidedText(marker.name, Qt::ElideRight, room);
        const double textX = left ? x - 3 - metrics.horizontalAdvance(name) : x + 3;
        painter->setPen(pen.color());
        painter->drawText(QPointF(textX, plot.top() + metrics.ascent() + 1 + (row++ % 3) * metrics.height()), name);
    }
    painter->restore();
}
