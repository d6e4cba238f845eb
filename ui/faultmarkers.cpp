#include "faultmarkers.h"

#include "nodespanel.h"
#include "simulationcontroller.h"
#include "studioactions.h"

#include <QAction>

using fanout::ScenarioStep;

FaultMarkers::FaultMarkers(const StudioActions &actions, const NodesPanel *nodes,
                           const SimulationController *controller, QObject *parent)
    : QObject(parent), m_nodes(nodes), m_controller(controller)
{
    for (const StudioActions::Fault &fault : actions.faults) {
        connect(fault.action, &QAction::triggered, this,
                [this, step = fault.step](bool checked) { onFaultAction(step, checked); });
    }
}

void FaultMarkers::onFaultAction(ScenarioStep::Action action, bool checked)
{
    // As FaultInjector applies it: the broker-down action toggles, a node fault needs a node.
    if (action == ScenarioStep::Action::BrokerDown && !checked)
        action = ScenarioStep::Action::BrokerUp;
    const double now = m_controller->lastSnapshot().simSeconds;
    switch (ScenarioStep::subjectOf(action)) {
    case ScenarioStep::Subject::Fleet:
        add(now, ScenarioStep::now(action));
        break;
    case ScenarioStep::Subject::Node:
        if (const int node = m_nodes->selectedNode(); node >= 0)
            add(now, ScenarioStep::onNode(action, node));
        break;
    case ScenarioStep::Subject::Client: // chosen in the injector's dialog, after this
    case ScenarioStep::Subject::Rate:
        break;
    }
}

void FaultMarkers::reset(const fanout::Scenario &scenario)
{
    m_steps.clear();
    for (const ScenarioStep &step : scenario.steps) {
        if (step.action != ScenarioStep::Action::PublishRate)
            m_steps.push_back(step);
    }
}

void FaultMarkers::add(double simSeconds, const ScenarioStep &step)
{
    ScenarioStep timed = step;
    timed.at = simSeconds;
    m_steps.push_back(timed);
}

QList<TimeSeriesChart::Marker> FaultMarkers::until(double now, const std::vector<fanout::SimNodeSnapshot> &nodes) const
{
    QList<TimeSeriesChart::Marker> markers;
    for (const ScenarioStep &step : m_steps) {
        if (step.at <= now)
            markers.append({step.at, name(step, nodes)});
    }
    return markers;
}

QString FaultMarkers::name(const ScenarioStep &step, const std::vector<fanout::SimNodeSnapshot> &nodes)
{
    QString name = ScenarioStep::actionName(step.action).replace(QLatin1Char('_'), QLatin1Char(' '));
    switch (ScenarioStep::subjectOf(step.action)) {
    case ScenarioStep::Subject::Node:
        return QStringLiteral("%1 %2").arg(name,
                                           step.node >= 0 && size_t(step.node) < nodes.size()
                                               ? nodes[size_t(step.node)].id
                                               : QString::number(step.node));
    case ScenarioStep::Subject::Client:
        return QStringLiteral("%1 %2").arg(name).arg(step.client);
    case ScenarioStep::Subject::Fleet:
    case ScenarioStep::Subject::Rate:
        break;
    }
    return name;
}
