#pragma once

#include "faulttimeline.h"
#include "loadbalancer.h"
#include "scenario.h"
#include "simnode.h"
#include "trafficgenerator.h"

#include <QHash>
#include <QObject>

#include <memory>
#include <vector>

namespace fanout {

class DeliveryLedger;
class VirtualClient;
struct SimSnapshot;

/// The fleet of a simulation: its nodes and its virtual clients. The load balancer places each
/// client on a node that is up; a client whose node dies, or that its node cuts off, comes back
/// after the scenario's reconnect delay. Clients speak typed mode through their node's
/// ClientProtocol (an `auth` frame when they belong to a user, one `join` frame per room,
/// `message` and `direct_message` frames to publish), the very code a WebSocket client meets. Placements and node
/// conditions go into the FaultTimeline, so the ledger can blame every loss.
class SimFleet : public QObject
{
    Q_OBJECT
public:
    SimFleet(const Scenario &scenario, const TrafficGenerator &traffic, DeliveryLedger &ledger, FaultTimeline &timeline,
             QObject *parent = nullptr);
    ~SimFleet() override;

    /// Node i listens on ports[i] when there is one (see SimNode), else on any free port.
    bool startNodes(const SimNode::BrokerFactory &brokerFactory, const std::vector<quint16> &ports, QString *error);
    /// Connects the next `count` clients that never connected; called once the brokers are
    /// connected, so their user_joined events travel like any message.
    void connectClients(int count, qint64 tick);
    bool clientsConnected() const { return m_placedOnce == m_clients.size(); }
    /// Envelopes the nodes received from the broker so far: when it stops moving, the bus is
    /// quiet.
    quint64 brokerMessages() const;
    /// Every reachable node's broker is connected and has no subscription in flight.
    bool isSettled(bool busUp) const;

    int nodeCount() const { return int(m_nodes.size()); }
    const SimNode &node(int index) const { return *m_nodes[size_t(index)]; }
    int clientCount() const { return int(m_clients.size()); }
    const VirtualClient &client(int index) const { return *m_clients[size_t(index)]; }
    VirtualClient &client(int index) { return *m_clients[size_t(index)]; }

    void killNode(int index, qint64 tick);
    bool restartNode(int index, qint64 tick, QString *error);
    void setPartitioned(int index, bool partitioned, bool busReachable, qint64 tick);
    /// Connects or cuts a node's broker link: cut while partitioned or while the bus is out of
    /// reach (`busReachable` false).
    void applyLink(int index, bool busReachable);
    /// Closes a client's connection the way its server would (user_left for its rooms) and
    /// schedules its reconnection.
    void disconnectClient(int client, FaultTimeline::OfflineReason reason, qint64 tick);
    /// Clients whose slow queue overflowed under the disconnect policy since the last call.
    std::vector<int> takeOverflowed() { return std::exchange(m_overflowed, {}); }
    void reconnectDue(qint64 tick);
    /// Closes the real WebSocket session `id` on whichever node holds it; returns that node's
    /// index, or -1 when none does.
    int closeExternalSession(const QString &id);

    /// A `message` frame to a room, or a `direct_message` frame to a user, from the publish's
    /// sender through its node's protocol, filed in the ledger first. False when the sender is
    /// offline or the protocol refused the frame.
    bool publish(const TrafficGenerator::Publish &publish, const QByteArray &content, qint64 tick, double simSeconds);

    /// From now on the nodes' counters count the scenario's run: connecting the clients (their
    /// joins and user_joined events, whose reach depends on join order) is set-up.
    void startCounting();
    /// The nodes' part of a snapshot: per-node counters and the rooms x nodes matrix.
    void captureNodes(SimSnapshot *snapshot) const;
    /// The clients' part, after captureNodes(): slow drops, protocol errors, each node's slow
    /// clients, and the first SimSnapshot::MaxListedClients clients.
    void captureClients(SimSnapshot *snapshot) const;

signals:
    /// A node's broker connection came up (true) or went away (false).
    void nodeLinkChanged(int node, bool connected);
    /// A real WebSocket client published a message (`direct`: to a user) on `node`, which gave it
    /// ledger key `key`; `members` are the virtual clients that should get it. Emitted before
    /// any delivery of it, so the owner can file it in the ledger first.
    void externalPublished(quint64 key, int node, quint64 id, const QByteArray &channel, const QList<int> &members);

private:
    void watchNode(int index);
    void place(VirtualClient &client, qint64 tick);
    void joinRooms(VirtualClient &client, ClientProtocol &protocol);
    void onPublished(int node, quint64 id, Envelope::Kind kind, const QString &to);

    const Scenario &m_scenario;
    const TrafficGenerator &m_traffic;
    DeliveryLedger &m_ledger;
    FaultTimeline &m_timeline;
    LoadBalancer m_balancer;
    std::vector<std::unique_ptr<SimNode>> m_nodes;
    std::vector<int> m_originSerials;
    std::vector<int> m_connections;
    std::vector<bool> m_linked; ///< each node's broker connected, as last told (nodeLinkChanged)
    std::vector<NodeStats> m_statsAtStart;
    std::vector<BrokerStats> m_brokerStatsAtStart;
    std::vector<std::unique_ptr<VirtualClient>> m_clients;
    QStringList m_roomNames;
    QHash<QString, int> m_roomIndex;
    QHash<QString, int> m_userIndex;
    bool m_publishing = false; ///< inside publish(): what the nodes publish now is the simulation's
    QList<QByteArray> m_quotedRoomNames;
    QList<QByteArray> m_quotedUserNames;

    struct PendingReconnect {
        int client;
        qint64 dueTick;
    };
    std::vector<PendingReconnect> m_reconnects;
    std::vector<int> m_overflowed;
    size_t m_placedOnce = 0; ///< clients [0, this) have been placed at least once
};

}
