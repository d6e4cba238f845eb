#include "simclock.h"

#include <algorithm>

namespace fanout {

SimClock::SimClock(int tickMs, QObject *parent) : QObject(parent), m_tickMs(tickMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SimClock::onTimeout);
}

void SimClock::setSpeed(double factor)
{
    m_speed = factor <= 0 ? 0 : std::clamp(factor, MinSpeed, MaxSpeed);
    if (isRunning())
        start();
}

void SimClock::start()
{
    m_since.start();
    m_ticksSinceStart = 0;
    m_timer.start(m_speed == 0 ? 0 : std::clamp(int(m_tickMs / m_speed), 1, 1000));
}

void SimClock::stop()
{
    m_timer.stop();
}

void SimClock::onTimeout()
{
    if (m_speed == 0) {
        emit ticksDue(1);
        return;
    }
    const auto due = qint64(double(m_since.elapsed()) * m_speed / m_tickMs) - m_ticksSinceStart;
    const int count = int(std::min<qint64>(due, MaxCatchUpTicks));
    if (count <= 0)
        return;
    m_ticksSinceStart += count;
    emit ticksDue(count);
}

}
