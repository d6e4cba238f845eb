#include "simulation.h"

#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "node/node.h"
#include "redis/redisbroker.h"
#include "redis/rediscommandline.h"
#include "redis/redisconnection.h"
#include "simnode.h"
#include "virtualclient.h"

#include <cmath>

namespace fanout {

namespace {
constexpr int MaxCatchUpTicks = 20;
}

Simulation::Simulation(const Scenario &scenario, QObject *parent)
    : QObject(parent), m_scenario(scenario), m_generator(scenario),
      m_balancer(scenario.balancer == Scenario::Balancer::LeastConnections
                         ? LoadBalancer::Policy::LeastConnections
                         : LoadBalancer::Policy::RoundRobin),
      m_ledger(m_timeline, m_traces)
{
    m_publishRate = scenario.publishRate;
    m_trafficTicks = std::llround(scenario.seconds * 1000.0 / scenario.tickMs);
    m_settleTicks = std::max<qint64>(1, std::llround(double(scenario.settleMs) / scenario.tickMs));
    m_payload = '"' + QByteArray(std::max(0, scenario.payloadBytes - 2), 'x') + '"';
    for (int room = 0; room < m_generator.roomCount(); ++room)
        m_roomNames.append(TrafficGenerator::roomName(room));
    m_timeline.resize(scenario.nodes, scenario.clients);
    m_ledger.resizeClients(scenario.clients);

    m_tickTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_tickTimer, &QTimer::timeout, this, &Simulation::onTimer);
    m_snapshotTimer.setInterval(100);
    connect(&m_snapshotTimer, &QTimer::timeout, this, [this] { emit snapshotReady(snapshot()); });
}

Simulation::~Simulation()
{
    // Sessions must leave their nodes before either goes away.
    for (auto &client : m_clients) {
        if (client->home() >= 0 && m_nodes[size_t(client->home())]->node())
            m_nodes[size_t(client->home())]->node()->detach(client.get());
    }
    m_nodes.clear();
}

bool Simulation::setUp(const QString &redisUrl, QString *error)
{
    SimNode::BrokerFactory factory;
    if (redisUrl.isEmpty()) {
        m_broker = QStringLiteral("in-process");
        m_bus = std::make_unique<InProcessBus>();
        factory = [this](const QString &id) { return new InProcessBroker(m_bus.get(), id); };
    } else {
        const std::optional<RedisUrl> url = RedisUrl::parse(redisUrl, error);
        if (!url)
            return false;
        m_broker = url->toDisplayString();
        factory = [url = *url](const QString &id) { return new RedisBroker(url, id); };
        m_console = new RedisConnection(*url, QStringLiteral("fanout-studio:console"),
                                        RedisConnection::Mode::Command, this);
        m_console->open();
    }
    for (int i = 0; i < m_scenario.nodes; ++i) {
        m_nodes.push_back(std::make_unique<SimNode>(i, QStringLiteral("ws:room:"), factory,
                                                    m_scenario.offlineQueue));
        m_originSerials.push_back(0);
        m_connections.push_back(0);
        if (!m_nodes.back()->start(error))
            return false;
        attachNodeSignals(i);
    }
    for (int i = 0; i < m_scenario.clients; ++i) {
        auto client = std::make_unique<VirtualClient>(i, m_generator.roomsOf(i), m_ledger);
        client->setOverflowHandler([this](VirtualClient *c) { m_overflowed.push_back(c->index()); });
        m_clients.push_back(std::move(client));
        placeClient(*m_clients.back());
    }
    m_wallClock.start();
    return true;
}

void Simulation::attachNodeSignals(int index)
{
    SimNode &simNode = *m_nodes[size_t(index)];
    m_originSerials[size_t(index)] = m_ledger.registerOrigin(simNode.id(), index);
    connect(simNode.node()->broker(), &Broker::stateChanged, this,
            [this, index, id = simNode.id()](Broker::State state) {
                m_timeline.setNodeLinked(index, m_tick, state == Broker::State::Connected);
                if (m_phase != Phase::Setup && m_nodes[size_t(index)]->isUp()) {
                    logEvent(state == Broker::State::Connected
                                     ? QStringLiteral("%1 connected to the broker and resubscribed its rooms").arg(id)
                                     : QStringLiteral("%1 lost the broker: local-only delivery").arg(id));
                }
            });
    connect(simNode.node(), &Node::envelopeDelivered, this,
            [this, index](const Envelope &envelope, quint64 sessions) {
                m_ledger.nodeReceived(m_ledger.keyOf(envelope), index, sessions);
            });
}

void Simulation::placeClient(VirtualClient &client)
{
    std::vector<bool> up;
    for (const auto &node : m_nodes)
        up.push_back(node->isUp());
    const int target = m_balancer.pick(up, m_connections);
    if (target < 0) {
        m_reconnects.push_back({client.index(), m_tick + 1});
        return;
    }
    Node *node = m_nodes[size_t(target)]->node();
    node->attach(&client);
    for (const int room : client.rooms())
        node->join(&client, m_roomNames.at(room));
    client.setHome(target);
    ++m_connections[size_t(target)];
    m_timeline.setClientHome(client.index(), m_tick, {target, FaultTimeline::OfflineReason::None});
}

void Simulation::detachClient(VirtualClient &client, FaultTimeline::OfflineReason reason)
{
    const int home = client.home();
    if (home < 0)
        return;
    if (Node *node = m_nodes[size_t(home)]->node())
        node->detach(&client);
    client.dropQueue(reason == FaultTimeline::OfflineReason::SlowClient ? LossCause::SlowClient
                                                                          : LossCause::NodeDown);
    client.setHome(-1);
    --m_connections[size_t(home)];
    m_timeline.setClientHome(client.index(), m_tick, {-1, reason});
    const qint64 delay = std::llround(double(m_scenario.reconnectDelayMs) / m_scenario.tickMs);
    m_reconnects.push_back({client.index(), m_tick + delay});
}

bool Simulation::isFleetSettled() const
{
    for (const auto &simNode : m_nodes) {
        if (!simNode->isUp() || simNode->isPartitioned() || !m_busUp)
            continue;
        const Broker *broker = simNode->node()->broker();
        if (broker->state() != Broker::State::Connected || broker->pendingSubscribes() > 0)
            return false;
    }
    return true;
}

void Simulation::run(Pace pace)
{
    if (m_phase == Phase::Finished || m_nodes.empty())
        return;
    m_pace = m_bus ? pace : Pace::RealTime;
    if (m_pace == Pace::Fast)
        m_speed = 0;
    else if (m_speed <= 0)
        m_speed = 1.0;
    if (m_phase == Phase::Setup && !isFleetSettled()) {
        QTimer::singleShot(20, this, [this, pace] { run(pace); });
        return;
    }
    if (m_phase == Phase::Setup || m_phase == Phase::Paused)
        m_phase = m_tick >= m_trafficTicks ? Phase::Settling : Phase::Running;
    m_paceClock.start();
    m_paceBaseTick = m_tick;
    m_tickTimer.start(m_pace == Pace::Fast ? 0 : std::clamp(int(m_scenario.tickMs / m_speed), 1, 1000));
    m_snapshotTimer.start();
}

void Simulation::setSpeed(double factor)
{
    const bool running = m_phase == Phase::Running || m_phase == Phase::Settling;
    m_speed = factor <= 0 && m_bus ? 0 : std::clamp(factor <= 0 ? 1.0 : factor, 0.01, 100.0);
    m_pace = m_speed == 0 ? Pace::Fast : Pace::RealTime;
    if (running) {
        m_paceClock.start();
        m_paceBaseTick = m_tick;
        m_tickTimer.start(m_pace == Pace::Fast ? 0 : std::clamp(int(m_scenario.tickMs / m_speed), 1, 1000));
    }
}

void Simulation::execute(const QString &commandLine)
{
    QString refusal;
    const auto args = RedisCommandLine::forConsole(commandLine, &refusal);
    if (!args) {
        if (!refusal.isEmpty())
            emit commandAnswered(commandLine, refusal);
        return;
    }
    if (m_bus) {
        emit commandAnswered(commandLine, m_bus->execute(*args).toDisplayString());
        return;
    }
    const bool sent = m_console && m_console->send(*args, [this, commandLine](const RedisReply &reply) {
        emit commandAnswered(commandLine, reply.toDisplayString());
    });
    if (!sent)
        emit commandAnswered(commandLine, QStringLiteral("(error) not connected to %1").arg(m_broker));
}

void Simulation::logEvent(const QString &text)
{
    emit eventLogged(simSeconds(), text);
}

void Simulation::pause()
{
    if (m_phase != Phase::Running && m_phase != Phase::Settling)
        return;
    m_tickTimer.stop();
    m_phase = Phase::Paused;
    emit snapshotReady(snapshot());
}

void Simulation::step()
{
    if (m_phase != Phase::Paused && m_phase != Phase::Setup)
        return;
    m_phase = Phase::Paused;
    runTick();
    emit snapshotReady(snapshot());
}

void Simulation::onTimer()
{
    if (m_pace == Pace::Fast) {
        runTick();
        return;
    }
    const qint64 due = m_paceBaseTick + qint64(double(m_paceClock.elapsed()) * m_speed / m_scenario.tickMs);
    for (int i = 0; i < MaxCatchUpTicks && m_tick < due && m_phase != Phase::Finished; ++i)
        runTick();
}

double Simulation::simSeconds() const
{
    return double(m_tick) * m_scenario.tickMs / 1000.0;
}

void Simulation::runTick()
{
    if (m_phase == Phase::Finished)
        return;
    runDueSteps();
    for (const int client : std::exchange(m_overflowed, {})) {
        if (m_clients[size_t(client)]->home() < 0 || !m_clients[size_t(client)]->isSlow())
            continue;
        ++m_slowDisconnects;
        logEvent(QStringLiteral("client v%1 cut off: its queue passed %2").arg(client).arg(m_scenario.slowQueueLimit));
        detachClient(*m_clients[size_t(client)], FaultTimeline::OfflineReason::SlowClient);
    }
    processReconnects();
    for (auto &client : m_clients) {
        if (client->isSlow())
            client->drain();
    }
    if (m_tick < m_trafficTicks)
        publishTick();
    m_ledger.settle(m_tick, m_settleTicks);
    ++m_tick;
    if (m_tick >= m_trafficTicks && m_phase == Phase::Running)
        m_phase = Phase::Settling;
    if (m_tick >= m_trafficTicks + m_settleTicks)
        finish();
}

void Simulation::runDueSteps()
{
    while (m_nextStep < m_scenario.steps.size()) {
        const ScenarioStep &step = m_scenario.steps[m_nextStep];
        if (std::llround(step.at * 1000.0 / m_scenario.tickMs) > m_tick)
            break;
        runStep(step);
        ++m_nextStep;
    }
}

void Simulation::runStep(const ScenarioStep &step)
{
    switch (step.action) {
    case ScenarioStep::Action::KillNode: killNode(step.node); break;
    case ScenarioStep::Action::RestartNode: restartNode(step.node); break;
    case ScenarioStep::Action::PartitionNode: partitionNode(step.node); break;
    case ScenarioStep::Action::HealNode: healNode(step.node); break;
    case ScenarioStep::Action::BrokerDown: setBrokerUp(false); break;
    case ScenarioStep::Action::BrokerUp: setBrokerUp(true); break;
    case ScenarioStep::Action::SlowClient: setClientSlow(step.client, true); break;
    case ScenarioStep::Action::FastClient: setClientSlow(step.client, false); break;
    case ScenarioStep::Action::PublishRate: setPublishRate(step.rate); break;
    }
}

void Simulation::processReconnects()
{
    if (m_reconnects.empty())
        return;
    std::vector<PendingReconnect> waiting;
    for (const PendingReconnect &pending : std::exchange(m_reconnects, {})) {
        VirtualClient &client = *m_clients[size_t(pending.client)];
        if (pending.dueTick > m_tick || client.home() >= 0) {
            if (client.home() < 0)
                waiting.push_back(pending);
            continue;
        }
        placeClient(client); // re-queues itself when no node is up
    }
    m_reconnects.insert(m_reconnects.end(), waiting.begin(), waiting.end());
}

void Simulation::publishTick()
{
    const int count = m_generator.publishesForTick(m_publishRate, m_scenario.tickMs / 1000.0);
    const double now = simSeconds();
    for (int i = 0; i < count; ++i) {
        const TrafficGenerator::Publish publish = m_generator.next();
        if (publish.sender < 0)
            return;
        VirtualClient &sender = *m_clients[size_t(publish.sender)];
        if (sender.home() < 0) {
            ++m_skippedPublishes;
            continue;
        }
        const int home = sender.home();
        SimNode &simNode = *m_nodes[size_t(home)];
        Node *node = simNode.node();
        const QString &room = m_roomNames.at(publish.room);
        const quint64 id = node->nextMessageId();
        m_ledger.recordPublish(DeliveryLedger::makeKey(m_originSerials[size_t(home)], id), home,
                               publish.sender, simNode.id(), id, node->channelFor(room),
                               m_generator.membersOf(publish.room), m_tick, now);
        node->publish(room, m_payload, Envelope::Kind::Message, sender.id());
    }
}

void Simulation::finish()
{
    m_tickTimer.stop();
    for (auto &client : m_clients)
        client->dropQueue(LossCause::SlowClient);
    m_ledger.settleAll(m_tick);
    m_phase = Phase::Finished;
    m_snapshotTimer.stop();
    logEvent(QStringLiteral("finished"));
    const SimSnapshot last = snapshot();
    emit snapshotReady(last);
    emit finished(last);
}

bool Simulation::checkNode(int node, const char *action)
{
    if (node >= 0 && node < nodeCount())
        return true;
    emit errorOccurred(QStringLiteral("%1: no node %2 (0-%3)")
                               .arg(QLatin1String(action)).arg(node).arg(nodeCount() - 1));
    return false;
}

void Simulation::killNode(int index)
{
    if (!checkNode(index, "kill_node") || !m_nodes[size_t(index)]->isUp())
        return;
    for (auto &client : m_clients) {
        if (client->home() == index)
            detachClient(*client, FaultTimeline::OfflineReason::NodeDown);
    }
    m_nodes[size_t(index)]->kill();
    m_timeline.setNodeCondition(index, m_tick, FaultTimeline::NodeCondition::Down);
    logEvent(QStringLiteral("node %1 killed: its clients reconnect in %2 ms").arg(index).arg(m_scenario.reconnectDelayMs));
}

void Simulation::restartNode(int index)
{
    if (!checkNode(index, "restart_node") || m_nodes[size_t(index)]->isUp())
        return;
    QString error;
    if (!m_nodes[size_t(index)]->start(&error)) {
        emit errorOccurred(error);
        return;
    }
    attachNodeSignals(index);
    applyLink(index);
    m_timeline.setNodeCondition(index, m_tick, FaultTimeline::NodeCondition::Up);
    logEvent(QStringLiteral("node %1 restarted as %2").arg(index).arg(m_nodes[size_t(index)]->id()));
}

void Simulation::partitionNode(int index)
{
    if (!checkNode(index, "partition_node") || !m_nodes[size_t(index)]->isUp())
        return;
    m_nodes[size_t(index)]->setPartitioned(true);
    applyLink(index);
    m_timeline.setNodeCondition(index, m_tick, FaultTimeline::NodeCondition::Partitioned);
    logEvent(QStringLiteral("node %1 partitioned from the broker").arg(index));
}

void Simulation::healNode(int index)
{
    if (!checkNode(index, "heal_node") || !m_nodes[size_t(index)]->isPartitioned())
        return;
    m_nodes[size_t(index)]->setPartitioned(false);
    applyLink(index);
    m_timeline.setNodeCondition(index, m_tick, FaultTimeline::NodeCondition::Up);
    logEvent(QStringLiteral("node %1 healed").arg(index));
}

void Simulation::applyLink(int index)
{
    SimNode &simNode = *m_nodes[size_t(index)];
    if (!simNode.isUp())
        return;
    // On real Redis the engine cannot stop the server: "broker down" cuts every node's link.
    const bool busReachable = m_bus || m_busUp;
    simNode.node()->broker()->setLinkUp(!simNode.isPartitioned() && busReachable);
}

void Simulation::setBrokerUp(bool up)
{
    if (up == m_busUp)
        return;
    m_busUp = up;
    if (m_bus)
        m_bus->setUp(up);
    for (int i = 0; i < nodeCount(); ++i)
        applyLink(i);
    m_timeline.setBusUp(m_tick, up);
    logEvent(up ? QStringLiteral("broker up") : QStringLiteral("broker down"));
}

void Simulation::setClientSlow(int client, bool slow)
{
    if (client < 0 || client >= int(m_clients.size())) {
        emit errorOccurred(QStringLiteral("slow_client: no client %1 (0-%2)").arg(client).arg(m_clients.size() - 1));
        return;
    }
    const auto policy = m_scenario.slowPolicy == Scenario::SlowPolicy::Disconnect
            ? VirtualClient::SlowPolicy::Disconnect
            : VirtualClient::SlowPolicy::Drop;
    m_clients[size_t(client)]->setSlow(slow, policy, m_scenario.slowQueueLimit,
                                       m_scenario.slowDrainRate * m_scenario.tickMs / 1000.0);
    logEvent(slow ? QStringLiteral("client v%1 is slow: %2 msg/s").arg(client).arg(m_scenario.slowDrainRate)
                  : QStringLiteral("client v%1 is fast again").arg(client));
}

void Simulation::setPublishRate(double rate)
{
    m_publishRate = std::max(0.0, rate);
    logEvent(QStringLiteral("publish rate %1/s").arg(m_publishRate));
}

QUrl Simulation::nodeUrl(int node) const
{
    return m_nodes[size_t(node)]->url();
}

SimSnapshot Simulation::snapshot() const
{
    SimSnapshot s;
    s.scenario = m_scenario.name;
    s.broker = m_broker;
    static const char *phases[] = {"setup", "running", "paused", "settling", "finished"};
    s.phase = QLatin1String(phases[int(m_phase)]);
    s.simSeconds = simSeconds();
    s.wallSeconds = m_wallClock.isValid() ? m_wallClock.elapsed() / 1000.0 : 0;
    s.brokerUp = m_busUp;
    s.totals = m_ledger.totals();
    s.skippedPublishes = m_skippedPublishes;
    s.slowDisconnects = m_slowDisconnects;
    for (const auto &client : m_clients)
        s.slowDrops += client->slowDrops();
    const LatencyHistogram &latency = m_ledger.latency();
    s.latencyP50Ms = latency.quantileNs(0.50) / 1e6;
    s.latencyP99Ms = latency.quantileNs(0.99) / 1e6;
    s.latencyMaxMs = latency.maxNs() / 1e6;

    const size_t nodes = m_nodes.size();
    const bool withMatrix = size_t(m_roomNames.size()) * nodes <= SimSnapshot::MaxMatrixCells;
    if (withMatrix) {
        s.rooms = m_roomNames;
        s.roomMembers.assign(size_t(m_roomNames.size()) * nodes, 0);
        s.roomSubscribed.assign(size_t(m_roomNames.size()) * nodes, false);
    }
    for (size_t n = 0; n < nodes; ++n) {
        const SimNode &simNode = *m_nodes[n];
        const NodeStats stats = simNode.stats();
        const BrokerStats brokerStats = simNode.brokerStats();
        SimNodeSnapshot node;
        node.index = int(n);
        node.id = simNode.id();
        node.url = simNode.url();
        node.clients = m_connections[n];
        node.published = stats.published;
        node.received = stats.brokerMessages;
        node.wasted = stats.wastedMessages;
        node.useful = stats.brokerMessages - stats.wastedMessages;
        node.delivered = stats.deliveries;
        node.fallbackDelivered = stats.fallbackDeliveries;
        s.busPublishes += brokerStats.published;
        s.busDeliveries += brokerStats.messagesReceived;
        s.busBytes += brokerStats.bytesReceived;
        s.wastedNodeDeliveries += stats.wastedMessages;
        s.socketDeliveries += stats.deliveries;
        if (!simNode.isUp()) {
            node.state = QStringLiteral("down");
        } else {
            const Node *live = simNode.node();
            node.state = simNode.isPartitioned() ? QStringLiteral("partitioned")
                    : live->broker()->state() == Broker::State::Connected ? QStringLiteral("up")
                                                                          : QStringLiteral("local-only");
            node.rooms = int(live->rooms().size());
            const QSet<QByteArray> subscriptions = live->broker()->subscriptions();
            node.subscriptions = int(subscriptions.size());
            for (qsizetype r = 0; withMatrix && r < m_roomNames.size(); ++r) {
                const size_t cell = size_t(r) * nodes + n;
                s.roomMembers[cell] = int(live->memberCount(m_roomNames.at(r)));
                s.roomSubscribed[cell] = subscriptions.contains(live->channelFor(m_roomNames.at(r)));
            }
        }
        s.nodes.push_back(node);
    }
    s.amplification = s.busPublishes ? double(s.busDeliveries) / double(s.busPublishes) : 0;
    s.recentTraces = m_traces.latest(SimSnapshot::MaxRecentTraces);
    return s;
}

}
