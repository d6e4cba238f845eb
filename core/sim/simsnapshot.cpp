#include "simsnapshot.h"

#include <QJsonArray>

namespace fanout {

QString phaseName(SimPhase phase)
{
    switch (phase) {
    case SimPhase::Setup:
        return QStringLiteral("setup");
    case SimPhase::Running:
        return QStringLiteral("running");
    case SimPhase::Paused:
        return QStringLiteral("paused");
    case SimPhase::Settling:
        return QStringLiteral("settling");
    case SimPhase::Finished:
        return QStringLiteral("finished");
    }
    return {};
}

QString nodeStateName(SimNodeState state)
{
    switch (state) {
    case SimNodeState::Up:
        return QStringLiteral("up");
    case SimNodeState::Down:
        return QStringLiteral("down");
    case SimNodeState::Partitioned:
        return QStringLiteral("partitioned");
    case SimNodeState::LocalOnly:
        return QStringLiteral("local-only");
    }
    return {};
}

QJsonObject SimSnapshot::toReport() const
{
    QJsonObject lostByCause;
    for (int cause = 0; cause < LossCauseCount; ++cause)
        lostByCause.insert(QLatin1String(lossCauseName(LossCause(cause))), double(totals.lostByCause[size_t(cause)]));
    QJsonArray nodeArray;
    for (const SimNodeSnapshot &node : nodes) {
        nodeArray.append(QJsonObject {
            {"id", node.id},
            {"url", node.url.toString()},
            {"state", nodeStateName(node.state)},
            {"clients", node.clients},
            {"external_clients", node.externalClients},
            {"rooms", node.rooms},
            {"subscriptions", node.subscriptions},
            {"published", double(node.published)},
            {"received", double(node.received)},
            {"useful", double(node.useful)},
            {"wasted", double(node.wasted)},
            {"delivered", double(node.delivered)},
            {"fallback_delivered", double(node.fallbackDelivered)},
            {"history_delivered", double(node.historyDelivered)},
            {"history_lost", double(node.historyLost)},
        });
    }
    QJsonArray presenceArray;
    for (const SimPresenceEntry &entry : presence) {
        presenceArray.append(QJsonObject {{"room", entry.room},
                                          {"user", entry.user},
                                          {"node", entry.node},
                                          {"connections", entry.connections},
                                          {"expires_in_ms", double(entry.expiresInMs)}});
    }
    return QJsonObject {
        {"scenario", scenario},
        {"broker", broker},
        {"delivery", delivery},
        {"sim_seconds", simSeconds},
        {"wall_seconds", wallSeconds},
        {"published", double(totals.published)},
        {"expected", double(totals.expected)},
        {"delivered", double(totals.delivered)},
        {"on_time", double(totals.onTime())},
        {"recovered", double(totals.recovered)},
        {"lost", double(totals.lost)},
        {"duplicates", double(totals.duplicates)},
        {"lost_by_cause", lostByCause},
        {"late_deliveries", double(totals.lateDeliveries)},
        {"skipped_publishes", double(skippedPublishes)},
        {"refused_publishes", double(refusedPublishes)},
        {"protocol_errors", double(protocolErrors)},
        {"slow_drops", double(slowDrops)},
        {"slow_disconnects", double(slowDisconnects)},
        {"bus_publishes", double(busPublishes)},
        {"bus_deliveries", double(busDeliveries)},
        {"bus_egress_bytes", double(busBytes)},
        {"amplification", amplification},
        {"wasted_node_deliveries", double(wastedNodeDeliveries)},
        {"socket_deliveries", double(socketDeliveries)},
        {"event_deliveries", double(eventDeliveries)},
        {"history_deliveries", double(historyDeliveries)},
        {"history_lost", double(historyLost)},
        {"latency_ms", QJsonObject {{"p50", latencyP50Ms}, {"p99", latencyP99Ms}, {"max", latencyMaxMs}}},
        {"nodes", nodeArray},
        {"presence", presenceArray},
    };
}

}
