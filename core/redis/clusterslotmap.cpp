#include "clusterslotmap.h"

#include "redisreply.h"

namespace fanout {

namespace {

/// A field of a CLUSTER SHARDS map, given as [name, value, name, value...].
const RedisReply *field(const RedisReply &map, QByteArrayView name)
{
    for (qsizetype i = 0; i + 1 < map.elements.size(); i += 2) {
        if (map.elements.at(i).string == name)
            return &map.elements.at(i + 1);
    }
    return nullptr;
}

qint64 integerOf(const RedisReply *reply)
{
    if (!reply)
        return 0;
    return reply->type == RedisReply::Type::Integer ? reply->integer : reply->string.toLongLong();
}

/// An endpoint a node reported: empty or "?" means the node asked.
QString hostOr(const QByteArray &endpoint, const QString &askedHost)
{
    return endpoint.isEmpty() || endpoint == "?" ? askedHost : QString::fromUtf8(endpoint);
}

bool isSlot(qint64 value)
{
    return value >= 0 && value < HashSlot::Count;
}

/// The master of one CLUSTER SHARDS entry; nothing when it lists none.
std::optional<RedisUrl::Address> shardMaster(const RedisReply &nodes, const QString &askedHost, bool tls)
{
    for (const RedisReply &node : nodes.elements) {
        const RedisReply *role = field(node, "role");
        if (!role || role->string != "master")
            continue;
        const RedisReply *endpoint = field(node, "endpoint");
        const RedisReply *ip = field(node, "ip");
        const qint64 port = integerOf(field(node, tls ? "tls-port" : "port"));
        if (port <= 0 || port > 65535)
            continue;
        return RedisUrl::Address {hostOr(endpoint ? endpoint->string
                                             : ip ? ip->string
                                                  : QByteArray(),
                                         askedHost),
                                  quint16(port)};
    }
    return std::nullopt;
}

}

std::optional<ClusterSlotMap::Redirect> ClusterSlotMap::Redirect::parse(const RedisReply &reply,
                                                                        const QString &askedHost)
{
    if (!reply.isError())
        return std::nullopt;
    const QList<QByteArray> words = reply.string.split(' ');
    if (words.size() != 3 || (words.at(0) != "MOVED" && words.at(0) != "ASK"))
        return std::nullopt;
    bool slotOk = false;
    const int slot = words.at(1).toInt(&slotOk);
    const qsizetype colon = words.at(2).lastIndexOf(':');
    bool portOk = false;
    const int port = colon < 0 ? 0 : words.at(2).mid(colon + 1).toInt(&portOk);
    if (!slotOk || !isSlot(slot) || !portOk || port <= 0 || port > 65535)
        return std::nullopt;
    QByteArray host = words.at(2).left(colon);
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.mid(1, host.size() - 2);
    return Redirect {
        words.at(0) == "MOVED" ? Kind::Moved : Kind::Ask, quint16(slot), {hostOr(host, askedHost), quint16(port)}};
}

std::optional<ClusterSlotMap> ClusterSlotMap::fromShards(const RedisReply &reply, const QString &askedHost, bool tls,
                                                         QString *error)
{
    if (reply.type != RedisReply::Type::Array) {
        *error = QStringLiteral("CLUSTER SHARDS: %1").arg(reply.toDisplayString());
        return std::nullopt;
    }
    ClusterSlotMap map;
    for (const RedisReply &shard : reply.elements) {
        const RedisReply *ranges = field(shard, "slots");
        const RedisReply *nodes = field(shard, "nodes");
        if (!ranges || !nodes)
            continue;
        const std::optional<RedisUrl::Address> master = shardMaster(*nodes, askedHost, tls);
        if (!master)
            continue;
        for (qsizetype i = 0; i + 1 < ranges->elements.size(); i += 2) {
            const qint64 first = integerOf(&ranges->elements.at(i));
            const qint64 last = integerOf(&ranges->elements.at(i + 1));
            if (isSlot(first) && isSlot(last) && first <= last)
                map.assign(quint16(first), quint16(last), *master);
        }
    }
    return map;
}

std::optional<ClusterSlotMap> ClusterSlotMap::fromSlots(const RedisReply &reply, const QString &askedHost,
                                                        QString *error)
{
    if (reply.type != RedisReply::Type::Array) {
        *error = QStringLiteral("CLUSTER SLOTS: %1").arg(reply.toDisplayString());
        return std::nullopt;
    }
    ClusterSlotMap map;
    for (const RedisReply &range : reply.elements) {
        if (range.elements.size() < 3 || range.elements.at(2).elements.size() < 2)
            continue;
        const qint64 first = integerOf(&range.elements.at(0));
        const qint64 last = integerOf(&range.elements.at(1));
        const RedisReply &master = range.elements.at(2);
        const qint64 port = integerOf(&master.elements.at(1));
        if (!isSlot(first) || !isSlot(last) || first > last || port <= 0 || port > 65535)
            continue;
        map.assign(quint16(first), quint16(last), {hostOr(master.elements.at(0).string, askedHost), quint16(port)});
    }
    return map;
}

ClusterSlotMap::ClusterSlotMap()
{
    m_owner.fill(-1);
}

bool ClusterSlotMap::isComplete() const
{
    return std::all_of(m_owner.cbegin(), m_owner.cend(), [](qint16 owner) { return owner >= 0; });
}

std::optional<RedisUrl::Address> ClusterSlotMap::ownerOf(quint16 slot) const
{
    if (slot >= HashSlot::Count || m_owner[slot] < 0)
        return std::nullopt;
    return m_masters.at(m_owner[slot]);
}

QList<RedisUrl::Address> ClusterSlotMap::masters() const
{
    QList<RedisUrl::Address> owners;
    for (qsizetype i = 0; i < m_masters.size(); ++i) {
        if (std::find(m_owner.cbegin(), m_owner.cend(), qint16(i)) != m_owner.cend())
            owners.append(m_masters.at(i));
    }
    return owners;
}

QList<quint16> ClusterSlotMap::slotsOf(const RedisUrl::Address &master) const
{
    QList<quint16> owned;
    const qsizetype index = m_masters.indexOf(master);
    for (int slot = 0; index >= 0 && slot < HashSlot::Count; ++slot) {
        if (m_owner[size_t(slot)] == index)
            owned.append(quint16(slot));
    }
    return owned;
}

void ClusterSlotMap::assign(quint16 slot, const RedisUrl::Address &owner)
{
    assign(slot, slot, owner);
}

void ClusterSlotMap::assign(quint16 first, quint16 last, const RedisUrl::Address &owner)
{
    qsizetype index = m_masters.indexOf(owner);
    if (index < 0) {
        m_masters.append(owner);
        index = m_masters.size() - 1;
    }
    std::fill(m_owner.begin() + first, m_owner.begin() + last + 1, qint16(index));
}

}
