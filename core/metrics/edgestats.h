#pragma once

#include <QMap>
#include <QtGlobal>

namespace fanout {

/// What a node's WebSocket edge counts (NodeServer; summed over I/O threads).
struct EdgeStats {
    qint64 roomConnections = 0; ///< open now, room mode
    qint64 typedConnections = 0; ///< open now, typed mode
    quint64 slowClientCloses = 0; ///< closed 1008: more than WireConnection::MaxQueuedBytes queued
    QMap<int, quint64> protocolCloses; ///< closed for a bad frame, by close code (1002, 1007, 1009)
    QMap<int, quint64> refusedUpgrades; ///< upgrade requests answered with an HTTP error, by status

    EdgeStats &operator+=(const EdgeStats &other)
    {
        roomConnections += other.roomConnections;
        typedConnections += other.typedConnections;
        slowClientCloses += other.slowClientCloses;
        for (auto it = other.protocolCloses.cbegin(); it != other.protocolCloses.cend(); ++it)
            protocolCloses[it.key()] += it.value();
        for (auto it = other.refusedUpgrades.cbegin(); it != other.refusedUpgrades.cend(); ++it)
            refusedUpgrades[it.key()] += it.value();
        return *this;
    }
};

}
