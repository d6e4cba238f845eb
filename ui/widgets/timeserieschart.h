#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>

class QLineSeries;
class QValueAxis;

/// A chart of a few named series over simulated time. Each update replaces a series' points in
/// one call (QXYSeries::replace), never point by point.
class TimeSeriesChart : public QChartView
{
    Q_OBJECT
public:
    TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent = nullptr);

    int addSeries(const QString &name);
    void setSeriesName(int series, const QString &name);
    int seriesCount() const { return int(m_series.size()); }
    void setPoints(int series, const QList<QPointF> &points);
    /// Rescales the axes to the data; call after the points of one update are set.
    void rescale();
    qsizetype pointCount(int series) const;
    void removeAllSeries();

private:
    QList<QLineSeries *> m_series;
    QValueAxis *m_time;
    QValueAxis *m_values;
};
