#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace fanout {

/// The pace of a simulation, one setting: `speed`, a factor of wall-clock time (1 is real time,
/// 0.1 slow motion for teaching), or 0 for ticks back to back. While running it emits
/// ticksDue() with the number of ticks wall time says are due, at most MaxCatchUpTicks at a
/// time so a stalled event loop catches up without freezing.
class SimClock : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxCatchUpTicks = 20;
    static constexpr double MinSpeed = 0.01;
    static constexpr double MaxSpeed = 100;

    explicit SimClock(int tickMs, QObject *parent = nullptr);

    double speed() const { return m_speed; }
    /// Clamped to [MinSpeed, MaxSpeed], or 0; takes effect at once while running.
    void setSpeed(double factor);
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

signals:
    void ticksDue(int count);

private:
    void onTimeout();

    int m_tickMs;
    double m_speed = 1.0;
    QTimer m_timer;
    QElapsedTimer m_since;
    qint64 m_ticksSinceStart = 0;
};

}
