#include "inspectionsnapshot.h"

#include <QJsonArray>

namespace fanout {

QString DriftFinding::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

namespace {

QJsonObject clientJson(const ClientInfo &client)
{
    return QJsonObject {{"id", double(client.id)},
                        {"addr", client.address},
                        {"name", client.name},
                        {"age", double(client.ageSeconds)},
                        {"idle", double(client.idleSeconds)},
                        {"flags", client.flags},
                        {"sub", double(client.subscriptions)},
                        {"psub", double(client.patternSubscriptions)},
                        {"ssub", double(client.shardSubscriptions)},
                        {"omem", double(client.outputMemory)},
                        {"cmd", client.lastCommand}};
}

QJsonArray channelsJson(const std::vector<ChannelInfo> &channels)
{
    QJsonArray array;
    for (const ChannelInfo &channel : channels) {
        QJsonObject object {
            {"channel", channel.channel}, {"room", channel.room}, {"numsub", double(channel.subscribers)}};
        if (channel.messagesPerSecond >= 0)
            object.insert(QStringLiteral("messages_per_second"), channel.messagesPerSecond);
        array.append(object);
    }
    return array;
}

}

QJsonObject SentinelInfo::toJson() const
{
    return QJsonObject {{"master_name", masterName},
                        {"sentinels", QJsonArray::fromStringList(sentinels)},
                        {"primary", primary},
                        {"replicas", QJsonArray::fromStringList(replicas)}};
}

QJsonObject InspectionSnapshot::toJson() const
{
    QJsonArray clientArray;
    for (const ClientInfo &client : clients)
        clientArray.append(clientJson(client));
    QJsonArray nodeArray;
    for (const FleetNode &node : nodes) {
        QJsonObject object {{"id", node.record.id},
                            {"address", node.record.address},
                            {"version", node.record.version},
                            {"prefix", node.record.prefix},
                            {"vanished", node.vanished},
                            {"last_seen_ms", double(node.lastSeenMs)},
                            {"rooms", QJsonArray::fromStringList(node.record.rooms)},
                            {"room_count", double(node.record.roomCount)},
                            {"sessions", double(node.record.sessions)},
                            {"subscriptions", double(node.record.subscriptions)}};
        if (node.publishClient >= 0)
            object.insert(QStringLiteral("publish_connection"), clientJson(clients[size_t(node.publishClient)]));
        if (node.subscribeClient >= 0)
            object.insert(QStringLiteral("subscribe_connection"), clientJson(clients[size_t(node.subscribeClient)]));
        nodeArray.append(object);
    }
    QJsonArray findingArray;
    for (const DriftFinding &finding : findings) {
        findingArray.append(QJsonObject {{"severity", DriftFinding::severityName(finding.severity)},
                                         {"kind", finding.kind},
                                         {"node", finding.node},
                                         {"room", finding.room},
                                         {"detail", finding.detail}});
    }
    QJsonObject json {{"url", url},
                      {"prefix", prefix},
                      {"read_only", readOnly},
                      {"taken_ms", double(takenMs)},
                      {"channels", channelsJson(channels)},
                      {"shard_channels", channelsJson(shardChannels)},
                      {"sharded_pubsub_supported", shardedSupported},
                      {"clients", clientArray},
                      {"nodes", nodeArray},
                      {"client_output_buffer_limit_pubsub",
                       QJsonObject {{"hard", double(pubsubHardLimit)},
                                    {"soft", double(pubsubSoftLimit)},
                                    {"soft_seconds", double(pubsubSoftSeconds)}}},
                      {"findings", findingArray},
                      {"errors", QJsonArray::fromStringList(errors)}};
    if (sentinel)
        json.insert(QStringLiteral("sentinel"), sentinel->toJson());
    return json;
}

}
