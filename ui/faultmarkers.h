#pragma once

#include "sim/scenario.h"
#include "sim/simsnapshot.h"
#include "widgets/timeserieschart.h"

#include <QList>
#include <QObject>

#include <vector>

class NodesPanel;
class SimulationController;
struct StudioActions;

/// The faults of a run and when they happen: the scenario's timed steps and the ones applied
/// from the window's fault actions on a node or on the broker. The charts mark those already past
/// on their time axis, named as in a scenario file ("kill node sim-1").
class FaultMarkers : public QObject
{
    Q_OBJECT
public:
    FaultMarkers(const StudioActions &actions, const NodesPanel *nodes, const SimulationController *controller,
                 QObject *parent = nullptr);

    /// Starts over with `scenario`'s steps (publish-rate changes are not faults).
    void reset(const fanout::Scenario &scenario);
    void add(double simSeconds, const fanout::ScenarioStep &step);
    /// The faults at or before `now`, with node names from `nodes`.
    QList<TimeSeriesChart::Marker> until(double now, const std::vector<fanout::SimNodeSnapshot> &nodes) const;

    static QString name(const fanout::ScenarioStep &step, const std::vector<fanout::SimNodeSnapshot> &nodes);

private:
    void onFaultAction(fanout::ScenarioStep::Action action, bool checked);

    const NodesPanel *m_nodes;
    const SimulationController *m_controller;
    std::vector<fanout::ScenarioStep> m_steps;
};
