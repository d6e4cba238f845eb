#include "faultinjector.h"

#include "nodespanel.h"
#include "simulationcontroller.h"
#include "studioactions.h"

#include <QAction>
#include <QInputDialog>
#include <QMainWindow>
#include <QStatusBar>

using fanout::ScenarioStep;

FaultInjector::FaultInjector(const StudioActions &actions, const NodesPanel *nodes, SimulationController *controller,
                             QMainWindow *window)
    : QObject(window), m_nodes(nodes), m_controller(controller), m_window(window)
{
    for (const StudioActions::Fault &fault : actions.faults) {
        connect(fault.action, &QAction::triggered, this,
                [this, step = fault.step](bool checked) { inject(step, checked); });
    }
}

void FaultInjector::inject(ScenarioStep::Action action, bool checked)
{
    if (action == ScenarioStep::Action::BrokerDown && !checked)
        action = ScenarioStep::Action::BrokerUp;
    switch (ScenarioStep::subjectOf(action)) {
    case ScenarioStep::Subject::Fleet:
        m_controller->apply(ScenarioStep::now(action));
        break;
    case ScenarioStep::Subject::Node:
        if (const int node = m_nodes->selectedNode(); node >= 0)
            m_controller->apply(ScenarioStep::onNode(action, node));
        else
            m_window->statusBar()->showMessage(tr("Select a node in the Nodes table first"), 4000);
        break;
    case ScenarioStep::Subject::Client:
        if (const int client = askForClient(action); client >= 0)
            m_controller->apply(ScenarioStep::onClient(action, client));
        break;
    case ScenarioStep::Subject::Rate:
        // No fault sets the rate: the toolbar's rate box applies it with its value.
        break;
    }
}

int FaultInjector::askForClient(ScenarioStep::Action action) const
{
    const fanout::Scenario &scenario = m_controller->scenario();
    if (scenario.clients == 0)
        return -1;
    const int last = scenario.clients - 1;
    const QString question = action == ScenarioStep::Action::SlowClient
        ? tr("Client (0-%1) to make slow; it consumes %2 messages/s:").arg(last).arg(scenario.slowDrainRate)
        : tr("Client (0-%1) to consume at full speed again:").arg(last);
    bool ok = false;
    const int client = QInputDialog::getInt(m_window, tr("Client"), question, 0, 0, last, 1, &ok);
    return ok ? client : -1;
}
