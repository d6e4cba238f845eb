#include "roomchannels.h"

#include <algorithm>

namespace fanout {

namespace {
constexpr QByteArrayView ShardMark = ":shard";
}

RoomChannels::RoomChannels(const QString &prefix, int shardCount)
    : m_prefix(prefix.toUtf8()), m_shardCount(std::clamp(shardCount, 1, MaxShards))
{ }

quint32 RoomChannels::shardOf(const QString &sender, int shardCount)
{
    quint32 hash = 2166136261u;
    for (const char byte : sender.toUtf8()) {
        hash ^= quint8(byte);
        hash *= 16777619u;
    }
    return hash % quint32(std::max(1, shardCount));
}

QByteArray RoomChannels::shard(const QString &room, int k) const
{
    return base(room) + ShardMark.toByteArray() + QByteArray::number(k);
}

QByteArray RoomChannels::forPublish(const QString &room, const QString &sender) const
{
    return m_shardCount == 1 ? base(room) : shard(room, int(shardOf(sender, m_shardCount)));
}

QByteArray RoomChannels::forEvents(const QString &room) const
{
    return m_shardCount == 1 ? base(room) : shard(room, 0);
}

QList<QByteArray> RoomChannels::all(const QString &room) const
{
    if (m_shardCount == 1)
        return {base(room)};
    QList<QByteArray> channels;
    for (int k = 0; k < m_shardCount; ++k)
        channels.append(shard(room, k));
    return channels;
}

std::optional<QString> RoomChannels::roomOf(const QByteArray &channel) const
{
    if (!channel.startsWith(m_prefix))
        return std::nullopt;
    QByteArray rest = channel.sliced(m_prefix.size());
    if (m_shardCount > 1) {
        const qsizetype mark = rest.lastIndexOf(ShardMark);
        if (mark < 0)
            return std::nullopt;
        bool ok = false;
        const int k = rest.sliced(mark + ShardMark.size()).toInt(&ok);
        if (!ok || k < 0 || k >= m_shardCount)
            return std::nullopt;
        rest.truncate(mark);
    }
    return QString::fromUtf8(rest);
}

}
