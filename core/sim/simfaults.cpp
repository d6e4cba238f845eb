#include "simfaults.h"

#include "broker/inprocessbus.h"
#include "node/node.h"
#include "redis/clientinfo.h"
#include "redis/clientnames.h"
#include "redis/redisconnection.h"
#include "redis/redisreply.h"
#include "simfleet.h"
#include "virtualclient.h"

namespace fanout {

SimFaults::SimFaults(const Scenario &scenario, SimFleet &fleet, FaultTimeline &timeline, InProcessBus *bus,
                     RedisConnection *redis, QObject *parent)
    : QObject(parent), m_scenario(scenario), m_fleet(fleet), m_timeline(timeline), m_bus(bus), m_redis(redis)
{ }

void SimFaults::apply(const ScenarioStep &step, qint64 tick)
{
    const ScenarioStep::Subject subject = ScenarioStep::subjectOf(step.action);
    if ((subject == ScenarioStep::Subject::Node && !checkNode(step))
        || (subject == ScenarioStep::Subject::Client && !checkClient(step)))
        return;
    switch (step.action) {
    case ScenarioStep::Action::KillNode:
        killNode(step.node, tick);
        break;
    case ScenarioStep::Action::RestartNode:
        restartNode(step.node, tick);
        break;
    case ScenarioStep::Action::PartitionNode:
        setPartitioned(step.node, true, tick);
        break;
    case ScenarioStep::Action::HealNode:
        setPartitioned(step.node, false, tick);
        break;
    case ScenarioStep::Action::BrokerDown:
        setBrokerUp(false, tick);
        break;
    case ScenarioStep::Action::BrokerUp:
        setBrokerUp(true, tick);
        break;
    case ScenarioStep::Action::CutSubscription:
        cutSubscription(step.node, tick);
        break;
    case ScenarioStep::Action::SlowClient:
        setClientSlow(step.client, true);
        break;
    case ScenarioStep::Action::FastClient:
        setClientSlow(step.client, false);
        break;
    case ScenarioStep::Action::DisconnectClient:
        disconnectClient(step.client, tick);
        break;
    case ScenarioStep::Action::PublishRate:
        break;
    }
}

bool SimFaults::checkNode(const ScenarioStep &step)
{
    if (step.node >= 0 && step.node < m_fleet.nodeCount())
        return true;
    emit errorOccurred(QStringLiteral("%1: no node %2 (0-%3)")
                           .arg(ScenarioStep::actionName(step.action))
                           .arg(step.node)
                           .arg(m_fleet.nodeCount() - 1));
    return false;
}

bool SimFaults::checkClient(const ScenarioStep &step)
{
    if (step.client >= 0 && step.client < m_fleet.clientCount())
        return true;
    emit errorOccurred(QStringLiteral("%1: no client %2 (0-%3)")
                           .arg(ScenarioStep::actionName(step.action))
                           .arg(step.client)
                           .arg(m_fleet.clientCount() - 1));
    return false;
}

void SimFaults::killNode(int index, qint64 tick)
{
    if (!m_fleet.node(index).isUp())
        return;
    const QString id = m_fleet.node(index).id();
    m_fleet.killNode(index, tick);
    emit logged(QStringLiteral("%1 killed: its clients reconnect in %2 ms").arg(id).arg(m_scenario.reconnectDelayMs));
}

void SimFaults::restartNode(int index, qint64 tick)
{
    if (m_fleet.node(index).isUp())
        return;
    const QString previous = m_fleet.node(index).id();
    QString error;
    if (!m_fleet.restartNode(index, tick, &error)) {
        emit errorOccurred(error);
        return;
    }
    m_fleet.applyLink(index, linksUp());
    emit logged(QStringLiteral("%1 restarted as %2").arg(previous, m_fleet.node(index).id()));
}

void SimFaults::setPartitioned(int index, bool partitioned, qint64 tick)
{
    const SimNode &node = m_fleet.node(index);
    if (!node.isUp() || node.isPartitioned() == partitioned)
        return;
    // The fault is told before what it causes (the node's broker link going down or up).
    emit logged(partitioned ? QStringLiteral("%1 partitioned from the broker").arg(node.id())
                            : QStringLiteral("%1 healed").arg(node.id()));
    m_fleet.setPartitioned(index, partitioned, linksUp(), tick);
}

void SimFaults::setBrokerUp(bool up, qint64 tick)
{
    if (up == m_busUp)
        return;
    m_busUp = up;
    emit logged(up ? QStringLiteral("broker up") : QStringLiteral("broker down"));
    if (m_bus)
        m_bus->setUp(up);
    for (int i = 0; i < m_fleet.nodeCount(); ++i)
        m_fleet.applyLink(i, linksUp());
    m_timeline.setBusUp(tick, up);
}

void SimFaults::cutSubscription(int index, qint64 tick)
{
    const SimNode &node = m_fleet.node(index);
    if (!node.isUp() || node.node()->broker()->state() != Broker::State::Connected) {
        emit logged(
            QStringLiteral("%1 has no subscribe connection to cut: it is not connected to the broker").arg(node.id()));
        return;
    }
    m_timeline.setSubscriptionCut(index, tick);
    if (!m_bus) {
        killOnRedis(ClientNames::nodeSubscribe(node.id()));
    } else if (!m_bus->killClient(node.id())) {
        emit errorOccurred(QStringLiteral("cut_subscription: no connection named %1").arg(node.id()));
    }
    emit logged(QStringLiteral("%1's subscribe connection killed: it reconnects and subscribes again").arg(node.id()));
}

void SimFaults::killOnRedis(const QString &clientName)
{
    // Redis kills by id, not by name: find the connection first, as an operator would. Not
    // with TYPE pubsub: a subscribe connection whose SUBSCRIBE is not answered yet is not one.
    const auto fail
        = [this](const QString &problem) { emit errorOccurred(QStringLiteral("cut_subscription: ") + problem); };
    m_redis->send({"CLIENT", "LIST"}, [this, clientName, fail](const RedisReply &reply) {
        if (reply.isError()) {
            fail(QStringLiteral("CLIENT LIST: %1").arg(QString::fromUtf8(reply.string)));
            return;
        }
        for (const ClientInfo &client : ClientInfo::parseList(reply.string)) {
            if (client.name != clientName)
                continue;
            m_redis->send({"CLIENT", "KILL", "ID", QByteArray::number(client.id)}, [fail](const RedisReply &killed) {
                if (killed.isError())
                    fail(QStringLiteral("CLIENT KILL: %1").arg(QString::fromUtf8(killed.string)));
            });
            return;
        }
        fail(QStringLiteral("no connection named %1 on Redis").arg(clientName));
    });
}

void SimFaults::setClientSlow(int client, bool slow)
{
    const auto policy = m_scenario.slowPolicy == Scenario::SlowPolicy::Disconnect
        ? VirtualClient::SlowPolicy::Disconnect
        : VirtualClient::SlowPolicy::Drop;
    m_fleet.client(client).setSlow(slow, policy, m_scenario.slowQueueLimit,
                                   m_scenario.slowDrainRate * m_scenario.tickMs / 1000.0);
    emit logged(slow ? QStringLiteral("client v%1 is slow: %2 msg/s").arg(client).arg(m_scenario.slowDrainRate)
                     : QStringLiteral("client v%1 is fast again").arg(client));
}

void SimFaults::disconnectClient(int client, qint64 tick)
{
    const int home = m_fleet.client(client).home();
    if (home < 0) {
        emit logged(QStringLiteral("client v%1 is not connected: nothing to disconnect").arg(client));
        return;
    }
    const QString node = m_fleet.node(home).id();
    m_fleet.disconnectClient(client, FaultTimeline::OfflineReason::Disconnected, tick);
    emit logged(QStringLiteral("client v%1 disconnected from %2: it reconnects in %3 ms")
                    .arg(client)
                    .arg(node)
                    .arg(m_scenario.reconnectDelayMs));
}

void SimFaults::disconnectSession(const QString &id)
{
    const int node = m_fleet.closeExternalSession(id);
    if (node >= 0)
        emit logged(QStringLiteral("WebSocket session %1 closed by %2").arg(id, m_fleet.node(node).id()));
    else
        emit errorOccurred(QStringLiteral("disconnect: no WebSocket session %1").arg(id));
}

}
