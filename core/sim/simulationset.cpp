#include "simulationset.h"

#include "simulation.h"

namespace fanout {

SimulationSet::SimulationSet(const Scenario &scenario, QObject *parent) : QObject(parent), m_recording(scenario)
{
    const std::vector<Scenario> fleets = scenario.fleets();
    for (const Scenario &fleetScenario : fleets) {
        auto *simulation = new Simulation(fleetScenario, this);
        const int index = count();
        const QString prefix = fleets.size() > 1 ? fleetScenario.fleet + QStringLiteral(": ") : QString();
        m_fleets.push_back(simulation);
        m_final.emplace_back();
        connect(simulation, &Simulation::snapshotReady, this,
                [this, index](const SimSnapshot &snapshot) { emit snapshotReady(index, snapshot); });
        connect(simulation, &Simulation::eventLogged, this,
                [this, prefix](double at, const QString &text) { emit eventLogged(at, prefix + text); });
        connect(simulation, &Simulation::errorOccurred, this,
                [this, prefix](const QString &message) { emit errorOccurred(prefix + message); });
        if (index == 0)
            connect(simulation, &Simulation::captionReached, this, &SimulationSet::captionReached);
        connect(simulation, &Simulation::finished, this, [this, index](const SimSnapshot &last) {
            m_final[size_t(index)] = last;
            if (++m_finished == count())
                emit finished();
        });
    }
}

bool SimulationSet::setUp(const QString &redisUrl, QString *error)
{
    for (Simulation *simulation : m_fleets) {
        if (!simulation->setUp(redisUrl, error))
            return false;
    }
    return true;
}

void SimulationSet::run()
{
    for (Simulation *simulation : m_fleets)
        simulation->run();
}

void SimulationSet::pause()
{
    for (Simulation *simulation : m_fleets)
        simulation->pause();
}

void SimulationSet::step()
{
    for (Simulation *simulation : m_fleets)
        simulation->step();
}

void SimulationSet::setSpeed(double factor)
{
    for (Simulation *simulation : m_fleets)
        simulation->setSpeed(factor);
}

std::vector<std::vector<quint16>> SimulationSet::nodePorts() const
{
    std::vector<std::vector<quint16>> ports;
    for (const Simulation *simulation : m_fleets)
        ports.push_back(simulation->nodePorts());
    return ports;
}

void SimulationSet::setNodePorts(const std::vector<std::vector<quint16>> &ports)
{
    for (size_t i = 0; i < m_fleets.size() && i < ports.size(); ++i)
        m_fleets[i]->setNodePorts(ports[i]);
}

void SimulationSet::setRunsUntilStopped(bool on)
{
    for (Simulation *simulation : m_fleets)
        simulation->setRunsUntilStopped(on);
}

void SimulationSet::apply(const ScenarioStep &step)
{
    const bool recorded = !isSettingUp() && m_fleets.front()->phase() != SimPhase::Finished;
    const double at = m_fleets.front()->simSeconds();
    if (recorded)
        m_recording.record(step, at);
    for (Simulation *simulation : m_fleets)
        simulation->apply(step);
    if (recorded)
        emit applied(step, at);
}

void SimulationSet::disconnectSession(const QString &id)
{
    m_fleets.front()->disconnectSession(id);
}

void SimulationSet::setPauseAtCaptions(bool on)
{
    for (Simulation *simulation : m_fleets)
        simulation->setPauseAtCaptions(on);
}

bool SimulationSet::isSettingUp() const
{
    for (const Simulation *simulation : m_fleets) {
        if (simulation->phase() == SimPhase::Setup)
            return true;
    }
    return false;
}

}
