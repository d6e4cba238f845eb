#include "inspectionsnapshot.h"

#include "broker/hashslot.h"
#include "redis/clientnames.h"
#include "redis/redisurl.h"

#include <QDateTime>
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

QString FleetNode::stateName(State state)
{
    switch (state) {
    case State::Alive:
        return QStringLiteral("alive");
    case State::Suspect:
        return QStringLiteral("suspect");
    case State::Vanished:
        return QStringLiteral("vanished");
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
        if (!channel.owner.isEmpty())
            object.insert(QStringLiteral("owner"), channel.owner);
        array.append(object);
    }
    return array;
}

}

void SentinelInfo::readRole(const RedisReply &reply)
{
    // ["master", offset, [[ip, port, offset], ...]]
    if (reply.elements.size() < 3 || reply.elements.at(0).string != "master")
        return;
    for (const RedisReply &replica : reply.elements.at(2).elements) {
        if (replica.elements.size() < 2)
            continue;
        const RedisUrl::Address address {QString::fromUtf8(replica.elements.at(0).string),
                                         replica.elements.at(1).string.toUShort()};
        replicas.append(address.toString());
    }
}

QJsonObject SentinelInfo::toJson() const
{
    return QJsonObject {{"master_name", masterName},
                        {"sentinels", QJsonArray::fromStringList(sentinels)},
                        {"primary", primary},
                        {"replicas", QJsonArray::fromStringList(replicas)}};
}

QList<ClusterMaster::SlotRange> ClusterMaster::rangesOf(const QList<quint16> &owned)
{
    QList<SlotRange> ranges;
    for (const quint16 slot : owned) {
        if (!ranges.isEmpty() && ranges.last().second + 1 == slot)
            ranges.last().second = slot;
        else
            ranges.append({slot, slot});
    }
    return ranges;
}

qint64 ClusterMaster::slotCount() const
{
    qint64 count = 0;
    for (const SlotRange &range : slotRanges)
        count += range.second - range.first + 1;
    return count;
}

QStringList ClusterMaster::slotRangeTexts() const
{
    QStringList texts;
    for (const SlotRange &range : slotRanges) {
        texts.append(range.first == range.second ? QString::number(range.first)
                                                 : QStringLiteral("%1-%2").arg(range.first).arg(range.second));
    }
    return texts;
}

qint64 ClusterMaster::subscribers() const
{
    qint64 sum = 0;
    for (const ChannelInfo &channel : shardChannels)
        sum += channel.subscribers;
    return sum;
}

QJsonObject ClusterMaster::toJson() const
{
    QJsonArray nodeArray;
    for (const MasterNodeConnections &node : nodes) {
        nodeArray.append(QJsonObject {{"node", node.node},
                                      {"publish_connections", node.publishConnections},
                                      {"subscribe_connections", node.subscribeConnections},
                                      {"shard_subscriptions", double(node.shardSubscriptions)}});
    }
    QJsonObject json {{"address", address},
                      {"slots", QJsonArray::fromStringList(slotRangeTexts())},
                      {"slot_count", double(slotCount())},
                      {"shard_channels", channelsJson(shardChannels)},
                      {"clients", clientCount},
                      {"node_connections", nodeArray}};
    if (!error.isEmpty())
        json.insert(QStringLiteral("error"), error);
    return json;
}

qint64 ClusterInfo::slotsCovered() const
{
    qint64 count = 0;
    for (const ClusterMaster &master : masters)
        count += master.slotCount();
    return count;
}

QString ClusterInfo::ownerOf(const QString &name) const
{
    const quint16 slot = HashSlot::of(name.toUtf8());
    for (const ClusterMaster &master : masters) {
        for (const ClusterMaster::SlotRange &range : master.slotRanges) {
            if (slot >= range.first && slot <= range.second)
                return master.address;
        }
    }
    return {};
}

QJsonObject ClusterInfo::toJson() const
{
    QJsonArray masterArray;
    for (const ClusterMaster &master : masters)
        masterArray.append(master.toJson());
    return QJsonObject {{"seeds", QJsonArray::fromStringList(seeds)},
                        {"slot_map_from", slotMapFrom},
                        {"slots_covered", double(slotsCovered())},
                        {"masters", masterArray}};
}

void InspectionSnapshot::attachNodeConnections()
{
    for (FleetNode &node : nodes) {
        const QString publishName = ClientNames::nodePublish(node.record.id);
        const QString subscribeName = ClientNames::nodeSubscribe(node.record.id);
        for (size_t c = 0; c < clients.size(); ++c) {
            const QString &name = clients[c].name;
            if (name == publishName && node.publishClient < 0)
                node.publishClient = int(c);
            else if (name == subscribeName && node.subscribeClient < 0)
                node.subscribeClient = int(c);
        }
        const bool connected = node.publishClient >= 0 || node.subscribeClient >= 0;
        if (node.state == FleetNode::State::Alive && !connected && clientsListed)
            node.state = FleetNode::State::Suspect;
    }
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
                            {"state", FleetNode::stateName(node.state)},
                            {"vanished", node.state == FleetNode::State::Vanished},
                            {"last_seen_ms", double(node.lastSeenMs)},
                            {"rooms", QJsonArray::fromStringList(node.record.rooms)},
                            {"room_count", double(node.record.roomCount)},
                            {"sessions", double(node.record.sessions)},
                            {"subscriptions", double(node.record.subscriptions)}};
        const std::pair<const char *, double> summary[] {{"published_per_s", node.record.publishedPerSecond},
                                                         {"received_per_s", node.record.receivedPerSecond},
                                                         {"delivered_per_s", node.record.deliveredPerSecond},
                                                         {"lag_p99_ms", node.record.lagP99Ms}};
        for (const auto &[name, value] : summary) {
            if (value >= 0)
                object.insert(QLatin1String(name), value);
        }
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
                      {"taken_ms", double(durationMs)},
                      {"taken_at", QDateTime::fromMSecsSinceEpoch(takenAtMs, Qt::UTC).toString(Qt::ISODateWithMs)},
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
    if (cluster)
        json.insert(QStringLiteral("cluster"), cluster->toJson());
    return json;
}

}
