#pragma once

#include "node/noderecord.h"
#include "redis/clientinfo.h"

#include <QJsonObject>

#include <optional>
#include <vector>

namespace fanout {

/// A channel under the inspected prefix.
struct ChannelInfo {
    QString channel;
    QString room;
    qint64 subscribers = 0; ///< PUBSUB NUMSUB (SHARDNUMSUB for sharded channels)
    double messagesPerSecond = -1; ///< measured by the optional sniffer; -1 when not sniffing
};

/// A node of the fleet: its registry record and its connections as Redis sees them.
struct FleetNode {
    NodeRecord record;
    bool vanished = false; ///< listed in fanout:nodes but its record expired or went stale
    qint64 lastSeenMs = 0;
    int publishClient = -1; ///< index into InspectionSnapshot::clients, -1 when absent
    int subscribeClient = -1;
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

    QJsonObject toJson() const;
};

/// One refresh of an InspectionSnapshot: everything the inspector read from Redis.
struct InspectionSnapshot {
    QString url;
    QString prefix;
    bool readOnly = true;
    bool sniffing = false;
    qint64 takenMs = 0;
    std::vector<ChannelInfo> channels;
    std::vector<ChannelInfo> shardChannels;
    bool shardedSupported = true;
    std::vector<ClientInfo> clients;
    std::vector<FleetNode> nodes;
    qint64 pubsubSoftLimit = 8 * 1024 * 1024; ///< client-output-buffer-limit pubsub
    qint64 pubsubHardLimit = 32 * 1024 * 1024;
    qint64 pubsubSoftSeconds = 60;
    std::vector<DriftFinding> findings;
    QStringList errors;
    std::optional<SentinelInfo> sentinel; ///< only for a sentinel URL

    QJsonObject toJson() const;
};

}
