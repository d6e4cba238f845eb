#include "sessionrecording.h"

#include <algorithm>

namespace fanout {

void SessionRecording::record(const ScenarioStep &step, double atSeconds)
{
    ScenarioStep timed = step;
    timed.at = atSeconds;
    m_steps.push_back(timed);
}

Scenario SessionRecording::scenario() const
{
    Scenario recorded = m_base;
    recorded.name = QStringLiteral("%1 (recorded)").arg(m_base.name);
    recorded.steps = m_steps;
    recorded.steps.insert(recorded.steps.end(), m_base.steps.begin(), m_base.steps.end());
    std::stable_sort(recorded.steps.begin(), recorded.steps.end(),
                     [](const ScenarioStep &a, const ScenarioStep &b) { return a.at < b.at; });
    return recorded;
}

}
