#include "simfleet.h"

#include "deliveryledger.h"
#include "envelope/jsontext.h"
#include "node/clientprotocol.h"
#include "node/node.h"
#include "simsnapshot.h"
#include "trafficgenerator.h"
#include "virtualclient.h"

#include <cmath>

namespace fanout {

SimFleet::SimFleet(const Scenario &scenario, const TrafficGenerator &traffic, DeliveryLedger &ledger,
                   FaultTimeline &timeline, QObject *parent)
    : QObject(parent), m_scenario(scenario), m_traffic(traffic), m_ledger(ledger), m_timeline(timeline),
      m_balancer(scenario.balancer == Scenario::Balancer::LeastConnections ? LoadBalancer::Policy::LeastConnections
                                                                           : LoadBalancer::Policy::RoundRobin)
{
    for (int room = 0; room < traffic.roomCount(); ++room) {
        m_roomNames.append(TrafficGenerator::roomName(room));
        m_roomIndex.insert(m_roomNames.last(), room);
        m_quotedRoomNames.append(JsonText::quote(m_roomNames.last()));
    }
    for (int user = 0; user < traffic.userCount(); ++user) {
        m_quotedUserNames.append(JsonText::quote(TrafficGenerator::userName(user)));
        m_userIndex.insert(TrafficGenerator::userName(user), user);
    }
}

SimFleet::~SimFleet()
{
    // Sessions leave their nodes before either goes away; a simulation that ends is not a
    // crash, but nobody is left to hear user_left either, so the protocol is not involved.
    for (auto &client : m_clients) {
        if (client->home() >= 0) {
            if (Node *node = m_nodes[size_t(client->home())]->node())
                node->detach(client.get());
        }
    }
    m_nodes.clear();
}

bool SimFleet::startNodes(const SimNode::BrokerFactory &brokerFactory, const std::vector<quint16> &ports,
                          QString *error)
{
    NodeConfig config;
    if (!m_scenario.fleet.isEmpty()) { // one fleet's rooms and presence beside the other's
        config.channelPrefix = NodeConfig::DefaultChannelPrefix + m_scenario.fleet + QLatin1Char(':');
        config.presenceNamespace += QLatin1Char(':') + m_scenario.fleet;
    }
    if (m_scenario.delivery == Scenario::Delivery::Streams)
        config.history.size = m_scenario.historySize;
    config.presenceTtlSeconds = m_scenario.presenceTtlSeconds;
    const QString idStem = m_scenario.fleet.isEmpty() ? QStringLiteral("sim") : m_scenario.fleet;
    for (int i = 0; i < m_scenario.nodes; ++i) {
        const quint16 port = size_t(i) < ports.size() ? ports[size_t(i)] : 0;
        m_nodes.push_back(std::make_unique<SimNode>(i, idStem, config, brokerFactory, m_scenario.offlineQueue, port));
        m_originSerials.push_back(0);
        m_connections.push_back(0);
        m_linked.push_back(false);
        if (!m_nodes.back()->start(error))
            return false;
        watchNode(i);
    }
    for (int i = 0; i < m_scenario.clients; ++i) {
        auto client = std::make_unique<VirtualClient>(i, m_traffic.roomsOf(i), m_ledger);
        client->setOverflowHandler([this](VirtualClient *c) { m_overflowed.push_back(c->index()); });
        m_clients.push_back(std::move(client));
    }
    return true;
}

void SimFleet::connectClients(int count, qint64 tick)
{
    const size_t end = std::min(m_clients.size(), m_placedOnce + size_t(count));
    for (; m_placedOnce < end; ++m_placedOnce)
        place(*m_clients[m_placedOnce], tick);
}

quint64 SimFleet::brokerMessages() const
{
    quint64 total = 0;
    for (const auto &node : m_nodes)
        total += node->stats().brokerMessages;
    return total;
}

void SimFleet::watchNode(int index)
{
    SimNode &simNode = *m_nodes[size_t(index)];
    m_originSerials[size_t(index)] = m_ledger.registerOrigin(simNode.id(), index);
    connect(simNode.node()->broker(), &Broker::stateChanged, this, [this, index](Broker::State state) {
        // Connecting follows Disconnected on the way up: only a change of "connected or
        // not" is news (a heal is one "connected", not a loss and a connection).
        const bool connected = state == Broker::State::Connected;
        if (connected == m_linked[size_t(index)])
            return;
        m_linked[size_t(index)] = connected;
        emit nodeLinkChanged(index, connected);
    });
    connect(simNode.node(), &Node::published, this,
            [this, index](quint64 id, Envelope::Kind kind, const QString &to) { onPublished(index, id, kind, to); });
    connect(simNode.node(), &Node::envelopeDelivered, this, [this, index](const Envelope &envelope, quint64 sessions) {
        if (envelope.kind != Envelope::Kind::Event)
            m_ledger.nodeReceived(m_ledger.keyOf(envelope), index, m_nodes[size_t(index)]->id(), sessions);
    });
}

void SimFleet::onPublished(int index, quint64 id, Envelope::Kind kind, const QString &to)
{
    // The simulation files its own publishes; events are not accounted. What is left came from
    // a real WebSocket client: its virtual members expect it like any message.
    if (m_publishing || kind == Envelope::Kind::Event)
        return;
    const Node *node = m_nodes[size_t(index)]->node();
    const bool direct = kind == Envelope::Kind::Direct;
    QList<int> members;
    if (direct) {
        if (const auto user = m_userIndex.constFind(to); user != m_userIndex.cend())
            members = m_traffic.clientsOf(user.value());
    } else if (const auto room = m_roomIndex.constFind(to); room != m_roomIndex.cend()) {
        members = m_traffic.membersOf(room.value());
    }
    emit externalPublished(DeliveryLedger::makeKey(m_originSerials[size_t(index)], id), index, id,
                           direct ? node->userChannelFor(to) : node->channelFor(to), members);
}

bool SimFleet::isSettled(bool busUp) const
{
    for (const auto &simNode : m_nodes) {
        if (!simNode->isUp() || simNode->isPartitioned() || !busUp)
            continue;
        const Broker *broker = simNode->node()->broker();
        if (broker->state() != Broker::State::Connected || broker->pendingSubscribes() > 0)
            return false;
    }
    return true;
}

void SimFleet::place(VirtualClient &client, qint64 tick)
{
    std::vector<bool> up;
    for (const auto &node : m_nodes)
        up.push_back(node->isUp());
    const int target = m_balancer.pick(up, m_connections);
    if (target < 0) {
        m_reconnects.push_back({client.index(), tick + 1});
        return;
    }
    ClientProtocol *protocol = m_nodes[size_t(target)]->protocol();
    protocol->opened(&client);
    if (const int user = m_traffic.userOf(client.index()); user >= 0)
        protocol->textReceived(&client, R"({"type":"auth","userId":)" + m_quotedUserNames.at(user) + '}');
    client.setHome(target);
    ++m_connections[size_t(target)];
    m_timeline.setClientHome(client.index(), tick, {target, FaultTimeline::OfflineReason::None});
    joinRooms(client, *protocol);
}

void SimFleet::joinRooms(VirtualClient &client, ClientProtocol &protocol)
{
    for (const int room : client.rooms())
        protocol.textReceived(&client, R"({"type":"join","room":)" + m_quotedRoomNames.at(room) + '}');
}

void SimFleet::disconnectClient(int index, FaultTimeline::OfflineReason reason, qint64 tick)
{
    VirtualClient &client = *m_clients[size_t(index)];
    const int home = client.home();
    if (home < 0)
        return;
    // A dead node's process is gone: nothing of it runs, so no user_left. A live node closes
    // the connection as its server does.
    if (ClientProtocol *protocol = m_nodes[size_t(home)]->protocol();
        protocol && reason != FaultTimeline::OfflineReason::NodeDown)
        protocol->closed(&client);
    client.dropQueue(FaultTimeline::causeOf(reason));
    client.setHome(-1);
    --m_connections[size_t(home)];
    m_timeline.setClientHome(index, tick, {-1, reason});
    const qint64 delay = std::llround(double(m_scenario.reconnectDelayMs) / m_scenario.tickMs);
    m_reconnects.push_back({index, tick + delay});
}

void SimFleet::reconnectDue(qint64 tick)
{
    if (m_reconnects.empty())
        return;
    std::vector<PendingReconnect> waiting;
    for (const PendingReconnect &pending : std::exchange(m_reconnects, {})) {
        VirtualClient &client = *m_clients[size_t(pending.client)];
        if (client.home() >= 0)
            continue;
        if (pending.dueTick > tick)
            waiting.push_back(pending);
        else
            place(client, tick); // re-queues itself when no node is up
    }
    m_reconnects.insert(m_reconnects.end(), waiting.begin(), waiting.end());
}

void SimFleet::killNode(int index, qint64 tick)
{
    for (auto &client : m_clients) {
        if (client->home() == index)
            disconnectClient(client->index(), FaultTimeline::OfflineReason::NodeDown, tick);
    }
    m_nodes[size_t(index)]->kill();
    m_linked[size_t(index)] = false; // the next incarnation starts unconnected
    m_timeline.setNodeCondition(index, tick, FaultTimeline::NodeCondition::Down);
}

bool SimFleet::restartNode(int index, qint64 tick, QString *error)
{
    if (!m_nodes[size_t(index)]->start(error))
        return false;
    watchNode(index);
    m_timeline.setNodeCondition(index, tick, FaultTimeline::NodeCondition::Up);
    return true;
}

void SimFleet::setPartitioned(int index, bool partitioned, bool busReachable, qint64 tick)
{
    m_nodes[size_t(index)]->setPartitioned(partitioned);
    applyLink(index, busReachable);
    m_timeline.setNodeCondition(
        index, tick, partitioned ? FaultTimeline::NodeCondition::Partitioned : FaultTimeline::NodeCondition::Up);
}

void SimFleet::applyLink(int index, bool busReachable)
{
    SimNode &simNode = *m_nodes[size_t(index)];
    if (simNode.isUp())
        simNode.node()->broker()->setLinkUp(!simNode.isPartitioned() && busReachable);
}

bool SimFleet::publish(const TrafficGenerator::Publish &publish, const QByteArray &content, qint64 tick,
                       double simSeconds)
{
    VirtualClient &client = *m_clients[size_t(publish.sender)];
    const int home = client.home();
    if (home < 0)
        return false;
    SimNode &simNode = *m_nodes[size_t(home)];
    Node *node = simNode.node();
    const quint64 id = node->nextMessageId();
    const quint64 key = DeliveryLedger::makeKey(m_originSerials[size_t(home)], id);
    const bool direct = publish.toUser >= 0;
    const QByteArray channel = direct ? node->userChannelFor(TrafficGenerator::userName(publish.toUser))
                                      : node->channelFor(m_roomNames.at(publish.room));
    // Filed before the frame: while the broker is down the node delivers inside publish().
    m_ledger.recordPublish(key, home, publish.sender, simNode.id(), id, channel,
                           direct ? m_traffic.clientsOf(publish.toUser) : m_traffic.membersOf(publish.room), tick,
                           simSeconds, publish.sequence);
    const QByteArray frame = direct
        ? R"({"type":"direct_message","to":)" + m_quotedUserNames.at(publish.toUser) + R"(,"content":)" + content + '}'
        : R"({"type":"message","room":)" + m_quotedRoomNames.at(publish.room) + R"(,"content":)" + content + '}';
    m_publishing = true;
    simNode.protocol()->textReceived(&client, frame);
    m_publishing = false;
    if (node->nextMessageId() != id)
        return true;
    m_ledger.withdraw(key);
    return false;
}

void SimFleet::startCounting()
{
    m_statsAtStart.clear();
    m_brokerStatsAtStart.clear();
    for (const auto &node : m_nodes) {
        m_statsAtStart.push_back(node->stats());
        m_brokerStatsAtStart.push_back(node->brokerStats());
    }
}

void SimFleet::captureClients(SimSnapshot *s) const
{
    for (const auto &client : m_clients) {
        s->slowDrops += client->slowDrops();
        s->protocolErrors += client->errorsReceived();
        const int home = client->home();
        if (client->isSlow() && home >= 0 && size_t(home) < s->nodes.size())
            s->nodes[size_t(home)].slowClients.push_back(client->index());
        if (s->clients.size() < SimSnapshot::MaxListedClients) {
            const int user = m_traffic.userOf(client->index());
            s->clients.push_back({client->index(), home, client->rooms(), client->isSlow(), client->queueLength(),
                                  user >= 0 ? TrafficGenerator::userName(user) : QString()});
        }
    }
    for (const auto &node : m_nodes) {
        const qsizetype left = qsizetype(SimSnapshot::MaxListedClients - s->externalSessions.size());
        for (SessionInfo &session : node->externalSessions(left)) {
            s->externalSessions.push_back({std::move(session.id), node->index(), std::move(session.user),
                                           std::move(session.rooms), session.queuedBytes, session.waitingToWrite});
        }
    }
}

int SimFleet::closeExternalSession(const QString &id)
{
    for (const auto &node : m_nodes) {
        if (node->closeExternalSession(id))
            return node->index();
    }
    return -1;
}

void SimFleet::captureNodes(SimSnapshot *s) const
{
    const size_t nodes = m_nodes.size();
    const size_t rooms = size_t(m_roomNames.size());
    const bool withMatrix = rooms * nodes <= SimSnapshot::MaxMatrixCells;
    if (withMatrix) {
        s->rooms = m_roomNames;
        s->roomMembers.assign(rooms * nodes, 0);
        s->roomSubscribed.assign(rooms * nodes, false);
    }
    for (size_t n = 0; n < nodes; ++n) {
        const SimNode &simNode = *m_nodes[n];
        const bool counting = n < m_statsAtStart.size();
        NodeStats stats = simNode.stats();
        BrokerStats brokerStats = simNode.brokerStats();
        if (counting) {
            stats -= m_statsAtStart[n];
            brokerStats -= m_brokerStatsAtStart[n];
        }
        SimNodeSnapshot node;
        node.index = int(n);
        node.id = simNode.id();
        node.url = simNode.url();
        node.clients = m_connections[n];
        node.published = stats.published;
        node.received = stats.brokerMessages;
        node.wasted = stats.wastedMessages;
        node.useful = stats.brokerMessages - stats.wastedMessages;
        node.delivered = stats.deliveries - stats.eventDeliveries;
        node.fallbackDelivered = stats.fallbackDeliveries;
        node.historyDelivered = stats.historyDeliveries;
        node.historyLost = stats.historyLost;
        s->historyDeliveries += stats.historyDeliveries;
        s->historyLost += stats.historyLost;
        s->busPublishes += brokerStats.published;
        s->busDeliveries += brokerStats.messagesReceived;
        s->busBytes += brokerStats.bytesReceived;
        s->wastedNodeDeliveries += stats.wastedMessages;
        s->socketDeliveries += node.delivered;
        s->eventDeliveries += stats.eventDeliveries;
        const Node *live = simNode.node();
        if (!live) {
            node.state = SimNodeState::Down;
            s->nodes.push_back(node);
            continue;
        }
        node.state = simNode.isPartitioned()                      ? SimNodeState::Partitioned
            : live->broker()->state() == Broker::State::Connected ? SimNodeState::Up
                                                                  : SimNodeState::LocalOnly;
        // Real WebSocket clients (wscat, a browser) are sessions of the node like the virtual ones.
        node.clients = int(live->sessionCount());
        node.externalClients = node.clients - m_connections[n];
        node.rooms = int(live->rooms().size());
        const QSet<QByteArray> subscriptions = live->broker()->subscriptions();
        node.subscriptions = int(subscriptions.size());
        for (size_t r = 0; withMatrix && r < rooms; ++r) {
            const QString &room = m_roomNames.at(qsizetype(r));
            s->roomMembers[r * nodes + n] = int(live->memberCount(room));
            s->roomSubscribed[r * nodes + n] = subscriptions.contains(live->channelFor(room));
        }
        s->nodes.push_back(node);
    }
}

}
