#pragma once

#include "sim/scenario.h"
#include "sim/simsnapshot.h"

#include <QObject>

class QMainWindow;
class NodesPanel;
class SimulationController;
struct StudioActions;

/// Carries out the Faults menu: each entry becomes a ScenarioStep for the controller, on what
/// its action needs (ScenarioStep::subjectOf): the node selected in the nodes table, a client
/// the user picks, or the whole fleet. Broker down is a toggle: unchecking it brings the broker up.
class FaultInjector : public QObject
{
    Q_OBJECT
public:
    /// Dialogs and status messages go to `window`, which owns the injector.
    FaultInjector(const StudioActions &actions, const NodesPanel *nodes, SimulationController *controller,
                  QMainWindow *window);

private:
    /// `checked`: the state of a checkable action after the trigger.
    void inject(fanout::ScenarioStep::Action action, bool checked);
    /// A client from a list (id, node, rooms, slow or not), or -1.
    int askForClient(fanout::ScenarioStep::Action action) const;
    /// "v3 on sim-1 in room-0 - slow, 40 queued"
    static QString describe(const fanout::SimClientSnapshot &client, const fanout::SimSnapshot &snapshot);

    const NodesPanel *m_nodes;
    SimulationController *m_controller;
    QMainWindow *m_window;
};
