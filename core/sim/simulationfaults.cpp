#include "simulation.h"

#include "broker/inprocessbus.h"
#include "simfleet.h"
#include "virtualclient.h"

namespace fanout {

// The faults and changes of Simulation, apart from the engine's loop: the one place a
// ScenarioStep becomes an action, whoever asked for it (a scenario or the studio's menus).

void Simulation::apply(const ScenarioStep &step)
{
    if (ScenarioStep::subjectOf(step.action) == ScenarioStep::Subject::Node && !checkNode(step))
        return;
    switch (step.action) {
    case ScenarioStep::Action::KillNode: killNode(step.node); break;
    case ScenarioStep::Action::RestartNode: restartNode(step.node); break;
    case ScenarioStep::Action::PartitionNode: setPartitioned(step.node, true); break;
    case ScenarioStep::Action::HealNode: setPartitioned(step.node, false); break;
    case ScenarioStep::Action::BrokerDown: setBrokerUp(false); break;
    case ScenarioStep::Action::BrokerUp: setBrokerUp(true); break;
    case ScenarioStep::Action::SlowClient: setClientSlow(step.client, true); break;
    case ScenarioStep::Action::FastClient: setClientSlow(step.client, false); break;
    case ScenarioStep::Action::PublishRate: setPublishRate(step.rate); break;
    }
}

bool Simulation::checkNode(const ScenarioStep &step)
{
    if (step.node >= 0 && step.node < nodeCount())
        return true;
    emit errorOccurred(QStringLiteral("%1: no node %2 (0-%3)")
                               .arg(ScenarioStep::actionName(step.action)).arg(step.node).arg(nodeCount() - 1));
    return false;
}

void Simulation::killNode(int index)
{
    if (!m_fleet->node(index).isUp())
        return;
    const QString id = m_fleet->node(index).id();
    m_fleet->killNode(index, m_tick);
    logEvent(QStringLiteral("%1 killed: its clients reconnect in %2 ms").arg(id).arg(m_scenario.reconnectDelayMs));
}

void Simulation::restartNode(int index)
{
    if (m_fleet->node(index).isUp())
        return;
    QString error;
    if (!m_fleet->restartNode(index, m_tick, &error)) {
        emit errorOccurred(error);
        return;
    }
    m_fleet->applyLink(index, m_bus || m_busUp);
    logEvent(QStringLiteral("node %1 restarted as %2").arg(index).arg(m_fleet->node(index).id()));
}

void Simulation::setPartitioned(int index, bool partitioned)
{
    const SimNode &node = m_fleet->node(index);
    if (!node.isUp() || node.isPartitioned() == partitioned)
        return;
    // On real Redis the engine cannot stop the server: "broker down" cuts every node's link.
    m_fleet->setPartitioned(index, partitioned, m_bus || m_busUp, m_tick);
    logEvent(partitioned ? QStringLiteral("%1 partitioned from the broker").arg(node.id())
                         : QStringLiteral("%1 healed").arg(node.id()));
}

void Simulation::setBrokerUp(bool up)
{
    if (up == m_busUp)
        return;
    m_busUp = up;
    if (m_bus)
        m_bus->setUp(up);
    for (int i = 0; i < nodeCount(); ++i)
        m_fleet->applyLink(i, m_bus || m_busUp);
    m_timeline.setBusUp(m_tick, up);
    logEvent(up ? QStringLiteral("broker up") : QStringLiteral("broker down"));
}

void Simulation::setClientSlow(int client, bool slow)
{
    if (client < 0 || client >= m_fleet->clientCount()) {
        emit errorOccurred(QStringLiteral("%1: no client %2 (0-%3)")
                                   .arg(ScenarioStep::actionName(slow ? ScenarioStep::Action::SlowClient
                                                                      : ScenarioStep::Action::FastClient))
                                   .arg(client).arg(m_fleet->clientCount() - 1));
        return;
    }
    const auto policy = m_scenario.slowPolicy == Scenario::SlowPolicy::Disconnect
            ? VirtualClient::SlowPolicy::Disconnect
            : VirtualClient::SlowPolicy::Drop;
    m_fleet->client(client).setSlow(slow, policy, m_scenario.slowQueueLimit,
                                    m_scenario.slowDrainRate * m_scenario.tickMs / 1000.0);
    logEvent(slow ? QStringLiteral("client v%1 is slow: %2 msg/s").arg(client).arg(m_scenario.slowDrainRate)
                  : QStringLiteral("client v%1 is fast again").arg(client));
}

void Simulation::setPublishRate(double rate)
{
    m_publishRate = std::max(0.0, rate);
    logEvent(QStringLiteral("publish rate %1/s").arg(m_publishRate));
}

void Simulation::onNodeLinkChanged(int index, bool connected)
{
    m_timeline.setNodeLinked(index, m_tick, connected);
    const SimNode &node = m_fleet->node(index);
    if (m_phase == Phase::Setup || !node.isUp())
        return;
    logEvent(connected ? QStringLiteral("%1 connected to the broker and resubscribed its rooms").arg(node.id())
                       : QStringLiteral("%1 lost the broker: local-only delivery").arg(node.id()));
}

}
