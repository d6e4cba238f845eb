#pragma once

#include "edgestats.h"
#include "latencyhistogram.h"
#include "node/nodestats.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace fanout {

/// Everything a node counts, gathered from its Node, ClientProtocol and NodeServer (and summed
/// over I/O threads) for /metrics and /readyz.
struct NodeMetrics {
    NodeStats node;
    EdgeStats edge;
    QHash<QString, quint64> rejectedFrames; ///< error frames sent, by code
    quint64 floodCloses = 0; ///< connections closed for flooding past --max-publish-rate
    LatencyHistogram publishRoundTrip;
    LatencyHistogram pubsubLag;
    QSet<QString> rooms;
    /// The channels the node's rooms need subscribed (/readyz compares them with the broker's).
    QSet<QByteArray> roomChannels;

    NodeMetrics &operator+=(const NodeMetrics &other)
    {
        node += other.node;
        edge += other.edge;
        for (auto it = other.rejectedFrames.cbegin(); it != other.rejectedFrames.cend(); ++it)
            rejectedFrames[it.key()] += it.value();
        floodCloses += other.floodCloses;
        publishRoundTrip.merge(other.publishRoundTrip);
        pubsubLag.merge(other.pubsubLag);
        rooms.unite(other.rooms);
        roomChannels.unite(other.roomChannels);
        return *this;
    }
};

}
