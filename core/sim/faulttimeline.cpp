#include "faulttimeline.h"

#include <algorithm>

namespace fanout {

const char *lossCauseName(LossCause cause)
{
    switch (cause) {
    case LossCause::NodeDown:
        return "node_down";
    case LossCause::BrokerDown:
        return "broker_down";
    case LossCause::Partition:
        return "partition";
    case LossCause::SubscriptionCut:
        return "subscription_cut";
    case LossCause::SlowClient:
        return "slow_client";
    case LossCause::ClientDisconnected:
        return "client_disconnected";
    case LossCause::Unexplained:
        return "unexplained";
    }
    return "unexplained";
}

LossCause FaultTimeline::causeOf(OfflineReason reason)
{
    switch (reason) {
    case OfflineReason::SlowClient:
        return LossCause::SlowClient;
    case OfflineReason::Disconnected:
        return LossCause::ClientDisconnected;
    case OfflineReason::None:
    case OfflineReason::NodeDown:
        break;
    }
    return LossCause::NodeDown;
}

void FaultTimeline::resize(int nodes, int clients)
{
    m_nodes.resize(size_t(nodes));
    m_links.resize(size_t(nodes));
    m_cuts.resize(size_t(nodes));
    m_clients.resize(size_t(clients));
}

void FaultTimeline::setNodeCondition(int node, qint64 tick, NodeCondition condition)
{
    m_nodes[size_t(node)].push_back({tick, condition});
}

void FaultTimeline::setNodeLinked(int node, qint64 tick, bool linked)
{
    m_links[size_t(node)].push_back({tick, linked});
}

void FaultTimeline::setSubscriptionCut(int node, qint64 tick)
{
    m_cuts[size_t(node)].push_back(tick);
}

void FaultTimeline::setBusUp(qint64 tick, bool up)
{
    m_bus.push_back({tick, up});
}

void FaultTimeline::setClientHome(int client, qint64 tick, Home home)
{
    m_clients[size_t(client)].push_back({tick, home});
}

template<typename T>
const T *FaultTimeline::valueAt(const std::vector<Change<T>> &changes, qint64 tick)
{
    const auto after = std::upper_bound(changes.begin(), changes.end(), tick,
                                        [](qint64 t, const Change<T> &change) { return t < change.tick; });
    return after == changes.begin() ? nullptr : &std::prev(after)->value;
}

template<typename T, typename Predicate>
bool FaultTimeline::changedDuring(const std::vector<Change<T>> &changes, qint64 from, qint64 to, Predicate predicate)
{
    return std::any_of(changes.begin(), changes.end(), [&](const Change<T> &change) {
        return change.tick > from && change.tick <= to && predicate(change.value);
    });
}

FaultTimeline::NodeCondition FaultTimeline::nodeCondition(int node, qint64 tick) const
{
    const NodeCondition *condition = valueAt(m_nodes[size_t(node)], tick);
    return condition ? *condition : NodeCondition::Up;
}

bool FaultTimeline::busUp(qint64 tick) const
{
    const bool *up = valueAt(m_bus, tick);
    return up ? *up : true;
}

FaultTimeline::Home FaultTimeline::clientHome(int client, qint64 tick) const
{
    const Home *home = valueAt(m_clients[size_t(client)], tick);
    return home ? *home : Home {};
}

LossCause FaultTimeline::causeOfLinkLoss(int homeNode, int publisherNode, qint64 tick) const
{
    qint64 lastBusDown = -1;
    for (const auto &change : m_bus) {
        if (change.tick <= tick && !change.value)
            lastBusDown = change.tick;
    }
    qint64 lastPartition = -1;
    for (const int node : {homeNode, publisherNode}) {
        for (const auto &change : m_nodes[size_t(node)]) {
            if (change.tick <= tick && change.value == NodeCondition::Partitioned)
                lastPartition = std::max(lastPartition, change.tick);
        }
    }
    qint64 lastCut = -1;
    for (const int node : {homeNode, publisherNode}) {
        for (const qint64 cut : m_cuts[size_t(node)]) {
            if (cut <= tick)
                lastCut = std::max(lastCut, cut);
        }
    }
    if (lastCut > lastBusDown && lastCut > lastPartition)
        return LossCause::SubscriptionCut;
    return lastPartition > lastBusDown ? LossCause::Partition : LossCause::BrokerDown;
}

LossCause FaultTimeline::blame(int client, int publisherNode, qint64 publishTick, qint64 finalTick) const
{
    const Home home = clientHome(client, publishTick);
    if (home.node < 0)
        return causeOf(home.reason);
    const auto partitioned = [](NodeCondition c) { return c == NodeCondition::Partitioned; };
    if (nodeCondition(home.node, publishTick) == NodeCondition::Partitioned
        || nodeCondition(publisherNode, publishTick) == NodeCondition::Partitioned)
        return LossCause::Partition;
    if (!busUp(publishTick))
        return LossCause::BrokerDown;
    const auto linked = [&](int node) {
        const bool *value = valueAt(m_links[size_t(node)], publishTick);
        return value ? *value : true;
    };
    if (!linked(home.node) || !linked(publisherNode))
        return causeOfLinkLoss(home.node, publisherNode, publishTick);

    const auto &homes = m_clients[size_t(client)];
    for (const OfflineReason reason : {OfflineReason::SlowClient, OfflineReason::Disconnected}) {
        if (changedDuring(homes, publishTick, finalTick,
                          [reason](const Home &h) { return h.node < 0 && h.reason == reason; }))
            return causeOf(reason);
    }
    if (changedDuring(m_nodes[size_t(home.node)], publishTick, finalTick,
                      [](NodeCondition c) { return c == NodeCondition::Down; })
        || changedDuring(homes, publishTick, finalTick, [](const Home &h) { return h.node < 0; }))
        return LossCause::NodeDown;
    if (changedDuring(m_bus, publishTick, finalTick, [](bool up) { return !up; }))
        return LossCause::BrokerDown;
    const auto &cuts = m_cuts[size_t(home.node)];
    if (std::any_of(cuts.begin(), cuts.end(), [&](qint64 cut) { return std::abs(cut - publishTick) <= CutReachTicks; }))
        return LossCause::SubscriptionCut;
    if (changedDuring(m_nodes[size_t(home.node)], publishTick, finalTick, partitioned)
        || changedDuring(m_nodes[size_t(publisherNode)], publishTick, finalTick, partitioned))
        return LossCause::Partition;
    return LossCause::Unexplained;
}

}
