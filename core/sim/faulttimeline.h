#pragma once

#include <QtGlobal>

#include <vector>

namespace fanout {

/// Why a message did not reach a member.
enum class LossCause {
    NodeDown,
    BrokerDown,
    Partition,
    SubscriptionCut,
    SlowClient,
    ClientDisconnected,
    Unexplained
};
constexpr int LossCauseCount = 7;
const char *lossCauseName(LossCause cause);

/// What happened to nodes, the bus and client placements, tick by tick. A change recorded at
/// tick t holds from the start of t (faults run before the tick's publishes). The ledger reads
/// it to blame each missing delivery on the fault that explains it.
class FaultTimeline
{
public:
    /// A subscription cut is blamed for messages published this close to it: before it, they
    /// were still on their way to the node; after it, the node may not have noticed yet (on
    /// Redis the kill takes a round trip). Later ones find the node's link down.
    static constexpr qint64 CutReachTicks = 5;

    enum class NodeCondition {
        Up,
        Down,
        Partitioned
    };
    enum class OfflineReason {
        None,
        NodeDown,
        SlowClient,
        Disconnected ///< disconnect_client: its server closed the connection
    };
    struct Home {
        int node = -1; ///< -1: not connected
        OfflineReason reason = OfflineReason::None;
    };

    /// What a member offline for `reason` loses its messages to.
    static LossCause causeOf(OfflineReason reason);

    void resize(int nodes, int clients);
    void setNodeCondition(int node, qint64 tick, NodeCondition condition);
    void setBusUp(qint64 tick, bool up);
    void setClientHome(int client, qint64 tick, Home home);
    /// Whether the node's broker connection was connected; a node reconnecting after a fault
    /// (Redis backoff) delivers locally only until it is.
    void setNodeLinked(int node, qint64 tick, bool linked);
    /// The node's subscribe connection was killed at `tick` (it reconnects by itself).
    void setSubscriptionCut(int node, qint64 tick);

    NodeCondition nodeCondition(int node, qint64 tick) const;
    bool busUp(qint64 tick) const;
    Home clientHome(int client, qint64 tick) const;

    /// The cause of a message published at `publishTick` by a client on `publisherNode` not
    /// reaching `client` by `finalTick`.
    LossCause blame(int client, int publisherNode, qint64 publishTick, qint64 finalTick) const;

private:
    template<typename T>
    struct Change {
        qint64 tick;
        T value;
    };
    template<typename T>
    static const T *valueAt(const std::vector<Change<T>> &changes, qint64 tick);
    template<typename T, typename Predicate>
    static bool changedDuring(const std::vector<Change<T>> &changes, qint64 from, qint64 to, Predicate predicate);

    LossCause causeOfLinkLoss(int homeNode, int publisherNode, qint64 tick) const;

    std::vector<std::vector<Change<NodeCondition>>> m_nodes;
    std::vector<std::vector<Change<bool>>> m_links;
    std::vector<std::vector<qint64>> m_cuts;
    std::vector<Change<bool>> m_bus;
    std::vector<std::vector<Change<Home>>> m_clients;
};

}
