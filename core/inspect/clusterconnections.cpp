#include "clusterconnections.h"

#include "redis/clientnames.h"
#include "redis/redisconnection.h"

#include <algorithm>

namespace fanout {

ClusterConnections::ClusterConnections(const RedisUrl &url, QObject *parent) : QObject(parent), m_url(url)
{
    m_nextSeed.setSingleShot(true);
    connect(&m_nextSeed, &QTimer::timeout, this, &ClusterConnections::openSeed);
    m_settleTimeout.setSingleShot(true);
    connect(&m_settleTimeout, &QTimer::timeout, this, [this] {
        // A master still connecting when the wait ends is not waited for again.
        m_unsettled.clear();
        if (std::exchange(m_settling, false))
            emit mastersSettled();
    });
    // The seed exists before open(), so that the console has its connection from the start.
    openSeed();
}

ClusterConnections::~ClusterConnections() = default;

void ClusterConnections::open()
{
    m_seed->open();
}

RedisUrl::Address ClusterConnections::seedAddress() const
{
    return m_url.clusterNodes.at(m_seedIndex % m_url.clusterNodes.size());
}

void ClusterConnections::openSeed()
{
    RedisConnection *previous = m_seed;
    m_seed = new RedisConnection(m_url.atAddress(seedAddress()), ClientNames::inspector(),
                                 RedisConnection::Mode::Command, this);
    connect(m_seed, &RedisConnection::ready, this, &ClusterConnections::ready);
    connect(m_seed, &RedisConnection::errorOccurred, this, &ClusterConnections::errorOccurred);
    connect(m_seed, &RedisConnection::errorOccurred, this, &ClusterConnections::onSeedFailed);
    if (!previous)
        return;
    previous->disconnect(this);
    previous->close();
    previous->deleteLater();
    emit seedChanged(m_seed);
    m_seed->open();
}

void ClusterConnections::onSeedFailed()
{
    // With one seed its connection keeps retrying by itself; with more, the next one is tried at
    // once, and after a pause once every seed failed.
    if (m_url.clusterNodes.size() < 2 || m_nextSeed.isActive())
        return;
    ++m_seedIndex;
    m_nextSeed.start(m_seedIndex % m_url.clusterNodes.size() == 0 ? RedisConnection::MaxReconnectDelayMs : 0);
}

RedisConnection *ClusterConnections::mapSource(RedisUrl::Address *address) const
{
    if (m_seed->isReady()) {
        *address = seedAddress();
        return m_seed;
    }
    for (const auto &[key, master] : m_masters) {
        if (master.connection->isReady()) {
            *address = master.address;
            return master.connection;
        }
    }
    return nullptr;
}

bool ClusterConnections::readSlotMap(const RedisReply &reply, const RedisUrl::Address &address, bool shards,
                                     QString *error)
{
    const std::optional<ClusterSlotMap> map = shards ? ClusterSlotMap::fromShards(reply, address.host, m_url.tls, error)
                                                     : ClusterSlotMap::fromSlots(reply, address.host, error);
    if (map)
        setSlotMap(*map);
    return map.has_value();
}

void ClusterConnections::setSlotMap(const ClusterSlotMap &map)
{
    m_map = map;
    QSet<QString> current;
    for (const RedisUrl::Address &address : map.masters()) {
        const QString key = address.toString();
        current.insert(key);
        if (m_masters.count(key) > 0)
            continue;
        auto *connection = new RedisConnection(m_url.atAddress(address), ClientNames::inspector(),
                                               RedisConnection::Mode::Command, this);
        connect(connection, &RedisConnection::ready, this, [this, connection] { onMasterSettled(connection); });
        connect(connection, &RedisConnection::errorOccurred, this, [this, connection] { onMasterSettled(connection); });
        connect(connection, &RedisConnection::errorOccurred, this, &ClusterConnections::errorOccurred);
        m_masters.emplace(key, Master {address, connection});
        m_unsettled.insert(connection);
        connection->open();
    }
    for (auto it = m_masters.begin(); it != m_masters.end();) {
        if (current.contains(it->first)) {
            ++it;
            continue;
        }
        RedisConnection *connection = it->second.connection;
        m_unsettled.remove(connection);
        connection->disconnect(this);
        connection->close();
        connection->deleteLater();
        it = m_masters.erase(it);
    }
}

QList<RedisUrl::Address> ClusterConnections::masters() const
{
    QList<std::pair<quint16, RedisUrl::Address>> byFirstSlot;
    for (const RedisUrl::Address &address : m_map.masters())
        byFirstSlot.append({m_map.slotsOf(address).value(0), address});
    std::sort(byFirstSlot.begin(), byFirstSlot.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QList<RedisUrl::Address> sorted;
    for (const auto &[slot, address] : byFirstSlot)
        sorted.append(address);
    return sorted;
}

std::vector<RedisConnection *> ClusterConnections::describeMasters(ClusterInfo *cluster) const
{
    std::vector<RedisConnection *> connections;
    for (const RedisUrl::Address &address : masters()) {
        ClusterMaster master;
        master.address = address.toString();
        master.slotRanges = ClusterMaster::rangesOf(m_map.slotsOf(address));
        RedisConnection *connection = connectionTo(address);
        if (!connection || !connection->isReady()) {
            master.error = QStringLiteral("not connected");
            connection = nullptr;
        }
        connections.push_back(connection);
        cluster->masters.push_back(master);
    }
    return connections;
}

RedisConnection *ClusterConnections::connectionTo(const RedisUrl::Address &master) const
{
    const auto found = m_masters.find(master.toString());
    return found != m_masters.end() ? found->second.connection : nullptr;
}

RedisConnection *ClusterConnections::connectionFor(QByteArrayView key) const
{
    const std::optional<RedisUrl::Address> owner = m_map.ownerOf(HashSlot::of(key));
    return owner ? connectionTo(*owner) : nullptr;
}

void ClusterConnections::settleMasters()
{
    m_settling = true;
    m_settleTimeout.start(m_unsettled.isEmpty() ? 0 : NewMasterWaitMs);
}

void ClusterConnections::onMasterSettled(RedisConnection *connection)
{
    if (m_unsettled.remove(connection) && m_unsettled.isEmpty() && m_settling)
        m_settleTimeout.start(0);
}

}
