#pragma once

#include "scenario.h"

#include <vector>

namespace fanout {

/// What a user did to a running simulation (faults, restarts, slow clients, rate changes: every
/// Simulation::apply), each at the simulated time it happened. Added to the scenario the run
/// began with, it is a scenario that replays the session: the same fleet, seed and traffic, and
/// each change at the start of the tick it was made before.
class SessionRecording
{
public:
    explicit SessionRecording(Scenario base = {}) : m_base(std::move(base)) { }

    void record(const ScenarioStep &step, double atSeconds);
    bool isEmpty() const { return m_steps.empty(); }
    /// The base scenario with the recorded steps among its own; at one instant a recorded step
    /// comes first, as the user made it before the tick ran the scenario's.
    Scenario scenario() const;

private:
    Scenario m_base;
    std::vector<ScenarioStep> m_steps;
};

}
