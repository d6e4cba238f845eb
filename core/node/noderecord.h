#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace fanout {

/// What a fanout-node tells the fleet about itself in Redis, so an inspector can see which node
/// holds which rooms and which nodes have vanished (docs/inspector.md):
/// - hash `fanout:node:<id>` with the fields below, expiring TtlSeconds after the last refresh;
/// - sorted set `fanout:nodes`, member <id>, score = last refresh in ms since the epoch.
struct NodeRecord {
    static constexpr int TtlSeconds = 15;
    static constexpr int RefreshMs = 5000;
    static constexpr int MaxListedRooms = 1000;
    static constexpr qint64 ForgetAfterMs = 24 * 3600 * 1000;
    static QByteArray key(const QString &nodeId) { return "fanout:node:" + nodeId.toUtf8(); }
    static QByteArray indexKey() { return "fanout:nodes"; }

    QString id;
    QString address; ///< ws://host:port
    QString version;
    QString prefix;
    QStringList rooms; ///< at most MaxListedRooms, sorted
    qint64 roomCount = 0;
    bool roomsTruncated = false;
    qint64 sessions = 0;
    qint64 subscriptions = 0;
    qint64 pid = 0;
    qint64 startedMs = 0;
    qint64 updatedMs = 0;
    /// The node's rolling summary over its last RateWindowMs (the fleet view without Prometheus):
    /// messages per second it published, received from the broker and delivered to sockets, and
    /// the 99th percentile of its pub/sub lag. Absent in records of older nodes: -1.
    static constexpr int RateWindowMs = 10000;
    double publishedPerSecond = -1;
    double receivedPerSecond = -1;
    double deliveredPerSecond = -1;
    double lagP99Ms = -1;

    /// HSET field/value arguments.
    QList<QByteArray> toFields() const;
    /// From HGETALL's flat field/value list.
    static NodeRecord fromFields(const QList<QByteArray> &flat);
};

}
