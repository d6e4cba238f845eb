#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace fanout {

/// The Redis channels of rooms (docs/protocol.md, "Hot-room sharding"). With one shard (the
/// default) room R is the channel `prefix + R`, as nodes of the seed's design expect. With N
/// shards a message of R goes to `prefix + R + ":shard" + k`, k = hash(sender) % N, so one
/// sender's messages keep their order while a hot room's traffic spreads over N channels, and a
/// node holding R subscribes to all N.
class RoomChannels
{
public:
    static constexpr int MaxShards = 1024;

    RoomChannels(const QString &prefix, int shardCount);

    int shardCount() const { return m_shardCount; }
    /// The room's own name on the bus: its channel with one shard, and what names its keys
    /// (history, presence) whatever the shards.
    QByteArray base(const QString &room) const { return m_prefix + room.toUtf8(); }
    /// Where a message of `sender` to `room` is published.
    QByteArray forPublish(const QString &room, const QString &sender) const;
    /// Where the room's presence events go: the first shard, so they keep their order.
    QByteArray forEvents(const QString &room) const;
    /// Every channel a node holding `room` subscribes to.
    QList<QByteArray> all(const QString &room) const;
    /// The room a channel belongs to; nothing when the channel is none of ours.
    std::optional<QString> roomOf(const QByteArray &channel) const;

    /// The shard of a sender: FNV-1a of its UTF-8 name, the same in every process.
    static quint32 shardOf(const QString &sender, int shardCount);

private:
    QByteArray shard(const QString &room, int k) const;

    QByteArray m_prefix;
    int m_shardCount;
};

}
