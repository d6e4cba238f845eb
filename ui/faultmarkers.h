#pragma once

#include "sim/scenario.h"
#include "sim/simsnapshot.h"
#include "widgets/timeserieschart.h"

#include <QList>
#include <QObject>

#include <vector>

class SimulationController;

/// The faults of a run and when they happen: the scenario's timed steps and every one applied
/// while it runs, from the window's fault actions, the fault dialog or the Clients view, at the
/// simulated time the engine took it. The charts mark those already past on their time axis,
/// named as in a scenario file ("kill node sim-1", "slow client 4").
class FaultMarkers : public QObject
{
    Q_OBJECT
public:
    explicit FaultMarkers(const SimulationController *controller, QObject *parent = nullptr);

    /// Starts over with `scenario`'s steps (publish-rate changes are not faults).
    void reset(const fanout::Scenario &scenario);
    /// The faults at or before `now`, with node names from `nodes`.
    QList<TimeSeriesChart::Marker> until(double now, const std::vector<fanout::SimNodeSnapshot> &nodes) const;

    static QString name(const fanout::ScenarioStep &step, const std::vector<fanout::SimNodeSnapshot> &nodes);

private:
    void add(double simSeconds, const fanout::ScenarioStep &step);

    std::vector<fanout::ScenarioStep> m_steps;
};
