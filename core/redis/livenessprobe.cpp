#include "livenessprobe.h"

#include <utility>

namespace fanout {

LivenessProbe::LivenessProbe(QObject *parent) : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &LivenessProbe::tick);
}

void LivenessProbe::start(int intervalMs)
{
    stop();
    if (intervalMs > 0)
        m_timer.start(intervalMs);
}

void LivenessProbe::stop()
{
    m_timer.stop();
    m_heard = false;
    m_ticksSincePing = -1;
}

void LivenessProbe::tick()
{
    if (std::exchange(m_heard, false)) {
        m_ticksSincePing = -1;
        return;
    }
    if (m_ticksSincePing < 0) {
        m_ticksSincePing = 0;
        emit pingDue();
        return;
    }
    if (++m_ticksSincePing >= 2) {
        stop();
        emit silent();
    }
}

}
