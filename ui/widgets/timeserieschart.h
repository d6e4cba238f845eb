#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>

class QLineSeries;
class QValueAxis;

/// A chart of a few named series over simulated time. Each update replaces a series' points in
/// one call (QXYSeries::replace), never point by point. Hovering a line shows the series, the
/// time and the value; faults are drawn as named vertical lines on the time axis.
class TimeSeriesChart : public QChartView
{
    Q_OBJECT
public:
    /// A named instant on the time axis (a fault).
    struct Marker {
        double time = 0;
        QString name;
    };
    /// A tick interval for the time axis and the decimals its labels need.
    struct TimeTicks {
        double interval = 1;
        int decimals = 0;
    };

    TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent = nullptr);

    int addSeries(const QString &name);
    void setSeriesName(int series, const QString &name);
    int seriesCount() const { return int(m_series.size()); }
    void setPoints(int series, const QList<QPointF> &points);
    /// Rescales the axes to the data; call after the points of one update are set.
    void rescale();
    qsizetype pointCount(int series) const;
    void removeAllSeries();
    /// A chart too small for a legend and a time-axis title: both hidden, the title's font smaller.
    void setCompact(bool compact);
    void setMarkers(const QList<Marker> &markers);
    const QList<Marker> &markers() const { return m_markers; }
    /// What hovering `series` near `time` shows: its name, the nearest sample's time and value.
    QString describe(int series, double time) const;

    /// At most about MaxTimeTicks round intervals (1, 2 or 5 times a power of ten) over
    /// [min, max], with as many decimals as tell two neighbouring labels apart.
    static TimeTicks timeTicks(double min, double max);
    static constexpr int MaxTimeTicks = 6;

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    void showValue(int series, const QPointF &point, bool entering);

    QList<QLineSeries *> m_series;
    QValueAxis *m_time;
    QValueAxis *m_values;
    QList<Marker> m_markers;
};
