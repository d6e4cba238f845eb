#include "faultmarkers.h"

#include "simulationcontroller.h"

using fanout::ScenarioStep;

FaultMarkers::FaultMarkers(const SimulationController *controller, QObject *parent) : QObject(parent)
{
    connect(controller, &SimulationController::stepApplied, this, [this](const ScenarioStep &step, double at) {
        if (step.action != ScenarioStep::Action::PublishRate)
            add(at, step);
    });
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
