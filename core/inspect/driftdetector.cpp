#include "driftdetector.h"

#include "redis/clientnames.h"

#include <QHash>
#include <QLocale>

namespace fanout {

namespace {

void add(std::vector<DriftFinding> &findings, DriftFinding::Severity severity, const QString &kind, const QString &node,
         const QString &room, const QString &detail)
{
    findings.push_back({severity, kind, node, room, detail});
}

using Severity = DriftFinding::Severity;

/// Which registered nodes say they hold each room.
struct Claims {
    QHash<QString, QStringList> nodesByRoom;
    bool truncated = false; ///< some record listed only its first rooms
};

/// What the connections of one name hold: a node's subscribe connection on one server, one per
/// master it subscribes on in a Cluster.
struct Held {
    int connections = 0;
    qint64 subscriptions = 0; ///< of the kind nodes use there (InspectionSnapshot::roomSubscriptions)
};

QHash<QString, Held> heldByName(const InspectionSnapshot &snapshot)
{
    QHash<QString, Held> held;
    for (const ClientInfo &client : snapshot.clients) {
        if (!ClientNames::isNode(client.name))
            continue;
        Held &named = held[client.name];
        ++named.connections;
        named.subscriptions += snapshot.roomSubscriptions(client);
    }
    return held;
}

void checkNode(const FleetNode &node, const InspectionSnapshot &snapshot, const QHash<QString, Held> &heldByName,
               Claims &claims, std::vector<DriftFinding> &findings)
{
    const NodeRecord &record = node.record;
    // A node that is gone or looks so has no clients left to hold rooms for: one finding says
    // so, in place of the missing subscriptions its record still claims.
    if (node.state == FleetNode::State::Vanished) {
        add(findings, Severity::Warning, QStringLiteral("vanished_node"), record.id, {},
            QStringLiteral("node %1 stopped refreshing its record (last seen %2 s before this snapshot)")
                .arg(record.id)
                .arg((snapshot.takenAtMs - node.lastSeenMs) / 1000));
        return;
    }
    if (node.state == FleetNode::State::Suspect) {
        add(findings, Severity::Warning, QStringLiteral("suspect_node"), record.id, {},
            QStringLiteral("node %1 has no connection to Redis although its record is fresh: it crashed or lost "
                           "Redis (its record expires within %2 s unless it comes back)")
                .arg(record.id)
                .arg(NodeRecord::TtlSeconds));
        return;
    }
    if (record.prefix != snapshot.prefix)
        return;
    claims.truncated |= record.roomsTruncated;
    for (const QString &room : record.rooms)
        claims.nodesByRoom[room].append(record.id);
    const Held subscribed = heldByName.value(ClientNames::nodeSubscribe(record.id));
    if (subscribed.connections == 0) {
        if (record.roomCount > 0) {
            add(findings, Severity::Error, QStringLiteral("no_subscribe_connection"), record.id, {},
                QStringLiteral("node %1 holds %2 room(s) but has no subscribe connection: its clients receive "
                               "nothing from other nodes")
                    .arg(record.id)
                    .arg(record.roomCount));
        }
        return;
    }
    const qint64 held = subscribed.subscriptions;
    const QString holders = snapshot.cluster
        ? QStringLiteral("its subscribe connections (one per master) hold %1 shard subscription(s)")
        : QStringLiteral("its subscribe connection has %1 subscription(s)");
    if (held < record.roomCount) {
        add(findings, Severity::Error, QStringLiteral("missing_subscriptions"), record.id, {},
            QStringLiteral("node %1 holds %2 room(s) but %3")
                .arg(record.id)
                .arg(record.roomCount)
                .arg(holders.arg(held)));
    } else if (held > record.roomCount) {
        add(findings, Severity::Warning, QStringLiteral("extra_subscriptions"), record.id, {},
            QStringLiteral("node %1 holds %2 room(s) but %3: a leak")
                .arg(record.id)
                .arg(record.roomCount)
                .arg(holders.arg(held)));
    }
}

void checkClaimedRooms(const Claims &claims, const InspectionSnapshot &snapshot, std::vector<DriftFinding> &findings)
{
    QHash<QString, qint64> subscribersByRoom;
    for (const ChannelInfo &channel : snapshot.roomChannels())
        subscribersByRoom.insert(channel.room, channel.subscribers);
    for (auto it = claims.nodesByRoom.cbegin(); it != claims.nodesByRoom.cend(); ++it) {
        const qint64 subscribers = subscribersByRoom.value(it.key(), 0);
        if (subscribers >= it->size())
            continue;
        const QString node = it->size() == 1 ? it->first() : QString();
        add(findings, Severity::Error, QStringLiteral("missing_subscription"), node, it.key(),
            QStringLiteral("room %1 has members on %2 but %3 subscriber(s) on %4%1: messages to it are silently missed")
                .arg(it.key(), it->join(QLatin1String(", ")))
                .arg(subscribers)
                .arg(snapshot.prefix));
    }
}

void checkUnclaimedChannels(const Claims &claims, const InspectionSnapshot &snapshot,
                            std::vector<DriftFinding> &findings)
{
    bool anonymousSubscribers = false;
    for (const ClientInfo &client : snapshot.clients) {
        if (snapshot.roomSubscriptions(client) > 0 && !ClientNames::isNode(client.name))
            anonymousSubscribers = true;
    }
    for (const ChannelInfo &channel : snapshot.roomChannels()) {
        if (channel.subscribers == 0 || claims.nodesByRoom.contains(channel.room))
            continue;
        if (anonymousSubscribers || claims.truncated) {
            add(findings, Severity::Info, QStringLiteral("unattributed_subscription"), {}, channel.room,
                QStringLiteral("%1 has %2 subscriber(s) that no registered node claims (nodes that do not register, "
                               "such as the reference Node.js node, or a registry listing cut at %3 rooms)")
                    .arg(channel.channel)
                    .arg(channel.subscribers)
                    .arg(NodeRecord::MaxListedRooms));
        } else {
            add(findings, Severity::Warning, QStringLiteral("subscription_without_members"), {}, channel.room,
                QStringLiteral("%1 has %2 subscriber(s) but no node has members in %3: a leaked subscription")
                    .arg(channel.channel)
                    .arg(channel.subscribers)
                    .arg(channel.room));
        }
    }
}

void checkOutputBuffers(const InspectionSnapshot &snapshot, std::vector<DriftFinding> &findings)
{
    const QLocale locale(QLocale::C);
    for (const ClientInfo &client : snapshot.clients) {
        if (!client.isSubscriber() || client.outputMemory <= 0)
            continue;
        const bool overHard = snapshot.pubsubHardLimit > 0 && client.outputMemory >= snapshot.pubsubHardLimit;
        const bool nearSoft = snapshot.pubsubSoftLimit > 0 && client.outputMemory * 2 >= snapshot.pubsubSoftLimit;
        if (!overHard && !nearSoft)
            continue;
        add(findings, overHard ? Severity::Error : Severity::Warning, QStringLiteral("output_buffer_near_limit"),
            client.name, {},
            QStringLiteral("subscriber %1 (%2) has %3 bytes queued; Redis cuts a pubsub client off past %4 bytes, "
                           "or %5 bytes for %6 s, and its node then misses messages")
                .arg(client.name.isEmpty() ? QStringLiteral("(unnamed)") : client.name, client.address,
                     locale.toString(client.outputMemory), locale.toString(snapshot.pubsubHardLimit),
                     locale.toString(snapshot.pubsubSoftLimit))
                .arg(snapshot.pubsubSoftSeconds));
    }
}

}

std::vector<DriftFinding> DriftDetector::detect(const InspectionSnapshot &snapshot)
{
    std::vector<DriftFinding> findings;
    Claims claims;
    const QHash<QString, Held> held = heldByName(snapshot);
    for (const FleetNode &node : snapshot.nodes)
        checkNode(node, snapshot, held, claims, findings);
    checkClaimedRooms(claims, snapshot, findings);
    checkUnclaimedChannels(claims, snapshot, findings);
    checkOutputBuffers(snapshot, findings);
    return findings;
}

}
