#pragma once

#include "node/noderecord.h"
#include "redis/clientinfo.h"
#include "redis/redisreply.h"

#include <QJsonObject>

#include <optional>
#include <utility>
#include <vector>

namespace fanout {

/// A channel under the inspected prefix.
struct ChannelInfo {
    QString channel;
    QString room;
    /// PUBSUB NUMSUB (SHARDNUMSUB for shard channels); on a Cluster a classic channel's counts of
    /// every master added up, as PUBLISH reaches the subscribers of every master.
    qint64 subscribers = 0;
    double messagesPerSecond = -1; ///< measured by the optional sniffer; -1 when not sniffing
    QString owner; ///< on a Cluster, host:port of the master that owns its hash slot; else empty
};

/// A node of the fleet: its registry record and its connections as Redis sees them.
struct FleetNode {
    /// Suspect tells a crash within one refresh: Redis drops a killed process's connections at
    /// once, while its record lives on until it expires (NodeRecord::TtlSeconds).
    enum class State {
        Alive, ///< its record is fresh and Redis lists a connection of it
        Suspect, ///< its record is fresh but neither of its connections is in CLIENT LIST
        Vanished ///< listed in fanout:nodes but its record expired or went stale
    };

    NodeRecord record;
    State state = State::Alive;
    qint64 lastSeenMs = 0;
    int publishClient = -1; ///< index into InspectionSnapshot::clients, -1 when absent
    int subscribeClient = -1;

    /// "alive", "suspect" or "vanished", as --json and the Nodes table spell it.
    static QString stateName(State state);
};

/// Something the inspector thinks is wrong.
struct DriftFinding {
    enum class Severity {
        Info,
        Warning,
        Error
    };
    Severity severity = Severity::Warning;
    QString kind; ///< machine-readable: missing_subscription, subscription_without_members, ...
    QString node; ///< node id when one is to blame
    QString room;
    QString detail; ///< one sentence for a human

    static QString severityName(Severity severity);
};

/// Where a redis+sentinel:// URL led: the primary the sentinels named, as the inspector resolved
/// it, and the replicas that primary reports (ROLE).
struct SentinelInfo {
    QString masterName;
    QStringList sentinels; ///< host:port, as listed in the URL, in the order they are asked
    QString primary; ///< host:port; empty until the sentinels answered
    QStringList replicas; ///< host:port, as the primary reports them

    /// Takes the replicas from the primary's answer to ROLE; a replica's answer lists none.
    void readRole(const RedisReply &reply);
    QJsonObject toJson() const;
};

/// A fan-out node's connections to one master of a Cluster, as that master's CLIENT LIST shows them.
struct MasterNodeConnections {
    QString node;
    int publishConnections = 0;
    int subscribeConnections = 0;
    qint64 shardSubscriptions = 0; ///< ssub= of its subscribe connections there
};

/// One master of a Redis Cluster, as the inspector read it through its own connection there.
struct ClusterMaster {
    using SlotRange = std::pair<quint16, quint16>; ///< first and last slot, both included

    QString address; ///< host:port, as the slot map names it
    QList<SlotRange> slotRanges; ///< ascending
    std::vector<ChannelInfo> shardChannels; ///< PUBSUB SHARDCHANNELS <prefix>* there, with SHARDNUMSUB
    /// Its CLIENT LIST is InspectionSnapshot::clients[firstClient, firstClient + clientCount).
    int firstClient = 0;
    int clientCount = 0;
    std::vector<MasterNodeConnections> nodes; ///< the registered nodes connected to it
    QString error; ///< why it was not read (not connected); empty when it was

    /// The ranges of a sorted list of slots.
    static QList<SlotRange> rangesOf(const QList<quint16> &owned);
    qint64 slotCount() const;
    /// "0-5460", or "7000" for a range of one slot.
    QStringList slotRangeTexts() const;
    /// The sum of its shard channels' SHARDNUMSUB.
    qint64 subscribers() const;
    QJsonObject toJson() const;
};

/// Where a redis+cluster:// URL led: the seeds it lists, the node that gave the slot map, and
/// every master with its slots, shard channels and connections.
struct ClusterInfo {
    QStringList seeds; ///< host:port, as listed in the URL
    QString slotMapFrom; ///< host:port of the node that answered CLUSTER SHARDS (or SLOTS)
    std::vector<ClusterMaster> masters; ///< by their first slot

    qint64 slotsCovered() const;
    /// host:port of the master whose slots hold the slot of a key or shard channel; empty for none.
    QString ownerOf(const QString &name) const;
    QJsonObject toJson() const;
};

/// One refresh of an InspectionSnapshot: everything the inspector read from Redis.
struct InspectionSnapshot {
    QString url;
    QString prefix;
    bool readOnly = true;
    bool sniffing = false;
    qint64 takenAtMs = 0; ///< when the refresh ended, in ms since the epoch
    qint64 durationMs = 0; ///< how long the refresh took, from its first command to its last reply
    std::vector<ChannelInfo> channels;
    std::vector<ChannelInfo> shardChannels;
    bool shardedSupported = true;
    std::vector<ClientInfo> clients;
    /// Every CLIENT LIST asked was answered: only then does a node without connections in
    /// `clients` become suspect (a user without +client|list would make every node look so).
    bool clientsListed = true;
    std::vector<FleetNode> nodes;
    qint64 pubsubSoftLimit = 8 * 1024 * 1024; ///< client-output-buffer-limit pubsub
    qint64 pubsubHardLimit = 32 * 1024 * 1024;
    qint64 pubsubSoftSeconds = 60;
    std::vector<DriftFinding> findings;
    QStringList errors;
    std::optional<SentinelInfo> sentinel; ///< only for a sentinel URL
    std::optional<ClusterInfo> cluster; ///< only for a cluster URL

    /// The channels fan-out nodes subscribe to: the classic channels on one server, the shard
    /// channels on a Cluster (nodes use sharded pub/sub there).
    const std::vector<ChannelInfo> &roomChannels() const { return cluster ? shardChannels : channels; }
    /// A connection's subscriptions of that kind: sub= on one server, ssub= on a Cluster.
    qint64 roomSubscriptions(const ClientInfo &client) const
    {
        return cluster ? client.shardSubscriptions : client.subscriptions;
    }
    /// Finds each node's connections in `clients` by their names, and marks a node suspect when
    /// it has none there. On a Cluster a node has a pair on each master it uses: these are the
    /// first master's.
    void attachNodeConnections();
    QJsonObject toJson() const;
};

}
