#include "redisinspector.h"

#include "clusterconnections.h"
#include "console/redisserverconsole.h"
#include "driftdetector.h"
#include "ratesniffer.h"
#include "redis/clientnames.h"
#include "redis/sentinelresolver.h"

#include <QDateTime>

#include <algorithm>

namespace fanout {

namespace {

QList<QByteArray> strings(const RedisReply &reply)
{
    QList<QByteArray> result;
    for (const RedisReply &element : reply.elements)
        result.append(element.string);
    return result;
}

}

RedisInspector::RedisInspector(const RedisUrl &url, QObject *parent)
    : QObject(parent), m_url(url),
      m_resolver(url.isSentinel() ? new SentinelResolver(url, ClientNames::sentinel(ClientNames::inspector()), this)
                                  : nullptr),
      m_cluster(url.isCluster() ? new ClusterConnections(url, this) : nullptr),
      m_connection(url.isCluster() ? nullptr
                                   : new RedisConnection(url, m_resolver, ClientNames::inspector(),
                                                         RedisConnection::Mode::Command, this)),
      m_console(new RedisServerConsole(m_cluster ? m_cluster->seed() : m_connection, url.toDisplayString(), this))
{
    if (m_resolver) {
        connect(m_resolver, &SentinelResolver::resolved, this,
                [this](const RedisUrl::Address &primary) { m_primary = primary; });
    }
    if (m_cluster) {
        connect(m_cluster, &ClusterConnections::ready, this, &RedisInspector::connected);
        connect(m_cluster, &ClusterConnections::errorOccurred, this, &RedisInspector::errorOccurred);
        connect(m_cluster, &ClusterConnections::seedChanged, m_console, &RedisServerConsole::setConnection);
        connect(m_cluster, &ClusterConnections::mastersSettled, this, &RedisInspector::onMastersSettled);
    } else {
        connect(m_connection, &RedisConnection::ready, this, &RedisInspector::connected);
        connect(m_connection, &RedisConnection::errorOccurred, this, &RedisInspector::errorOccurred);
    }
    connect(m_console, &RedisConsole::writesAllowedChanged, this, &RedisInspector::modeChanged);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RedisInspector::refresh);
}

RedisInspector::~RedisInspector()
{
    // The connection is deleted with the children, after the members: the replies it still
    // owes then must find their refresh abandoned.
    if (m_stage)
        m_stage->abandon();
}

void RedisInspector::open()
{
    if (m_cluster)
        m_cluster->open();
    else
        m_connection->open();
}

bool RedisInspector::isConnected() const
{
    RedisUrl::Address source;
    return m_cluster ? m_cluster->mapSource(&source) != nullptr : m_connection->isReady();
}

bool RedisInspector::writesAllowed() const
{
    return m_console->writesAllowed();
}

void RedisInspector::setWritesAllowed(bool allowed)
{
    m_console->setWritesAllowed(allowed);
}

RedisConsole *RedisInspector::console() const
{
    return m_console;
}

void RedisInspector::setRefreshInterval(int milliseconds)
{
    if (milliseconds <= 0)
        m_refreshTimer.stop();
    else
        m_refreshTimer.start(milliseconds);
}

void RedisInspector::setPrefix(const QString &prefix)
{
    if (prefix == m_prefix)
        return;
    m_prefix = prefix;
    if (isSniffing()) {
        setSniffing(false);
        setSniffing(true);
    }
}

void RedisInspector::setSniffing(bool sniffing)
{
    if (sniffing == isSniffing() || (sniffing && m_cluster))
        return;
    delete m_sniffer;
    m_sniffer = sniffing ? new RateSniffer(m_url, m_resolver, m_prefix, this) : nullptr;
}

void RedisInspector::refresh()
{
    if (m_refreshing || !isConnected())
        return;
    m_refreshing = true;
    m_refreshClock.start();
    m_snapshot = InspectionSnapshot();
    m_snapshot.url = m_url.toDisplayString();
    m_snapshot.prefix = m_prefix;
    m_snapshot.readOnly = !writesAllowed();
    m_snapshot.sniffing = isSniffing();
    if (m_url.isSentinel()) {
        SentinelInfo sentinel;
        sentinel.masterName = m_url.masterName;
        for (const RedisUrl::Address &address : m_url.sentinels)
            sentinel.sentinels.append(address.toString());
        sentinel.primary = m_primary.port != 0 ? m_primary.toString() : QString();
        m_snapshot.sentinel = sentinel;
    }
    if (m_cluster) {
        ClusterInfo cluster;
        for (const RedisUrl::Address &address : m_url.clusterNodes)
            cluster.seeds.append(address.toString());
        m_snapshot.cluster = cluster;
        mapStage();
        return;
    }
    m_servers.reset({m_connection});
    listStage();
}

ReplyBatch RedisInspector::startStage()
{
    m_stage.emplace(!writesAllowed());
    return *m_stage;
}

void RedisInspector::mapStage()
{
    RedisUrl::Address address;
    RedisConnection *source = m_cluster->mapSource(&address);
    ReplyBatch batch = startStage();
    batch.send(source, {"CLUSTER", "SHARDS"},
               [this, source, address](const RedisReply &reply) { readSlotMap(source, address, true, reply); });
    batch.whenAllReplied(
        [this] {
            m_waitingForMasters = true;
            m_cluster->settleMasters();
        },
        [this] { abandonRefresh(); });
}

void RedisInspector::readSlotMap(RedisConnection *source, const RedisUrl::Address &address, bool shards,
                                 const RedisReply &reply)
{
    if (shards && reply.isError() && reply.string.contains("unknown subcommand")) {
        // Redis before 7 knows only CLUSTER SLOTS (and no sharded pub/sub).
        m_stage->send(source, {"CLUSTER", "SLOTS"}, [this, source, address](const RedisReply &answer) {
            readSlotMap(source, address, false, answer);
        });
        return;
    }
    QString error;
    if (m_cluster->readSlotMap(reply, address, shards, &error))
        m_snapshot.cluster->slotMapFrom = address.toString();
    else
        m_snapshot.errors.append(error);
}

void RedisInspector::onMastersSettled()
{
    if (!std::exchange(m_waitingForMasters, false))
        return;
    ClusterInfo &cluster = *m_snapshot.cluster;
    m_servers.reset(m_cluster->describeMasters(&cluster));
    // The refresh goes on without a master that is down: the others still say what they hold.
    for (const ClusterMaster &master : cluster.masters) {
        if (!master.error.isEmpty())
            m_snapshot.errors.append(QStringLiteral("%1: %2").arg(master.address, master.error));
    }
    const qint64 uncovered = HashSlot::Count - cluster.slotsCovered();
    if (uncovered > 0)
        m_snapshot.errors.append(QStringLiteral("%1 of %2 slots have no master").arg(uncovered).arg(HashSlot::Count));
    listStage();
}

void RedisInspector::listStage()
{
    const QByteArray pattern = m_snapshot.prefix.toUtf8() + '*';
    ReplyBatch batch = startStage();
    bool limitsAsked = false;
    for (size_t i = 0; i < m_servers.size(); ++i) {
        RedisConnection *connection = m_servers.at(i).connection;
        if (!connection)
            continue;
        batch.send(connection, {"PUBSUB", "CHANNELS", pattern},
                   [this, i](const RedisReply &reply) { readChannels(i, reply); });
        batch.send(connection, {"PUBSUB", "SHARDCHANNELS", pattern},
                   [this, i](const RedisReply &reply) { readShardChannels(i, reply); });
        batch.send(connection, {"CLIENT", "LIST"}, [this, i](const RedisReply &reply) { readClients(i, reply); });
        // One server's limits stand for all: a Cluster's masters share their configuration.
        if (!std::exchange(limitsAsked, true)) {
            batch.send(connection, {"CONFIG", "GET", "client-output-buffer-limit"},
                       [this](const RedisReply &reply) { readBufferLimits(reply); });
        }
    }
    sendForKey(batch, NodeRecord::indexKey(), {"ZRANGE", NodeRecord::indexKey(), "0", "-1", "WITHSCORES"},
               [this](const RedisReply &reply) { readNodeIndex(reply); });
    if (m_snapshot.sentinel)
        batch.send(m_connection, {"ROLE"}, [this](const RedisReply &reply) { readRole(reply); });
    batch.whenAllReplied([this] { countStage(); }, [this] { abandonRefresh(); });
}

void RedisInspector::countStage()
{
    ReplyBatch batch = startStage();
    for (size_t i = 0; i < m_servers.size(); ++i) {
        ServerReadings::Server &server = m_servers.at(i);
        if (!server.connection)
            continue;
        askSubscriberCounts(batch, server.connection, &server.channels, "NUMSUB");
        askSubscriberCounts(batch, server.connection, &server.shardChannels, "SHARDNUMSUB");
    }
    for (size_t node = 0; node < m_snapshot.nodes.size(); ++node) {
        const QByteArray key = NodeRecord::key(m_snapshot.nodes[node].record.id);
        sendForKey(batch, key, {"HGETALL", key},
                   [this, node](const RedisReply &reply) { readNodeRecord(node, reply); });
    }
    batch.whenAllReplied([this] { finish(); }, [this] { abandonRefresh(); });
}

void RedisInspector::finish()
{
    m_stage.reset();
    m_snapshot.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    m_snapshot.durationMs = m_refreshClock.elapsed();
    m_servers.moveInto(&m_snapshot);
    m_snapshot.attachNodeConnections();
    if (m_sniffer)
        m_sniffer->measure(m_snapshot.channels);
    m_snapshot.findings = DriftDetector::detect(m_snapshot);
    m_refreshing = false;
    emit snapshotReady(m_snapshot);
}

void RedisInspector::abandonRefresh()
{
    // A connection went down mid-refresh; the next refresh after it is back starts afresh.
    m_stage.reset();
    m_waitingForMasters = false;
    m_refreshing = false;
}

void RedisInspector::sendForKey(ReplyBatch &batch, const QByteArray &key, const QList<QByteArray> &args,
                                RedisConnection::ReplyHandler handler)
{
    RedisConnection *connection = m_cluster ? m_cluster->connectionFor(key) : m_connection;
    if (m_cluster && (!connection || !connection->isReady())) {
        m_snapshot.errors.append(
            QStringLiteral("%1 %2: the master of its slot is not connected").arg(args.first(), key));
        return;
    }
    batch.send(connection, args, std::move(handler));
}

void RedisInspector::readChannels(size_t server, const RedisReply &reply)
{
    if (reply.isError())
        recordError("PUBSUB CHANNELS", reply, server);
    for (const QByteArray &channel : strings(reply))
        m_servers.at(server).channels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1, {}});
}

void RedisInspector::readShardChannels(size_t server, const RedisReply &reply)
{
    if (reply.isError())
        m_snapshot.shardedSupported = false; // Redis before 7
    for (const QByteArray &channel : strings(reply))
        m_servers.at(server).shardChannels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1, {}});
}

void RedisInspector::readClients(size_t server, const RedisReply &reply)
{
    if (reply.isError()) {
        recordError("CLIENT LIST", reply, server);
        m_snapshot.clientsListed = false;
    }
    const QList<ClientInfo> clients = ClientInfo::parseList(reply.string);
    m_servers.at(server).clients.assign(clients.cbegin(), clients.cend());
}

void RedisInspector::readBufferLimits(const RedisReply &reply)
{
    // Managed Redis services often refuse CONFIG: the documented defaults stay then.
    // "normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60"
    if (reply.elements.size() != 2)
        return;
    const QList<QByteArray> words = reply.elements.at(1).string.split(' ');
    const qsizetype at = words.indexOf("pubsub");
    if (at < 0 || at + 3 >= words.size())
        return;
    m_snapshot.pubsubHardLimit = words.at(at + 1).toLongLong();
    m_snapshot.pubsubSoftLimit = words.at(at + 2).toLongLong();
    m_snapshot.pubsubSoftSeconds = words.at(at + 3).toLongLong();
}

void RedisInspector::readNodeIndex(const RedisReply &reply)
{
    if (reply.isError())
        recordError("ZRANGE", reply);
    const QList<QByteArray> flat = strings(reply);
    for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
        FleetNode node;
        node.record.id = QString::fromUtf8(flat.at(i));
        node.lastSeenMs = flat.at(i + 1).toLongLong();
        m_snapshot.nodes.push_back(node);
    }
}

void RedisInspector::readRole(const RedisReply &reply)
{
    if (reply.isError())
        recordError("ROLE", reply);
    else
        m_snapshot.sentinel->readRole(reply);
}

void RedisInspector::askSubscriberCounts(ReplyBatch &batch, RedisConnection *connection,
                                         std::vector<ChannelInfo> *channels, const QByteArray &command)
{
    for (size_t first = 0; first < channels->size(); first += NumsubBatch) {
        QList<QByteArray> args {"PUBSUB", command};
        const size_t last = std::min(channels->size(), first + NumsubBatch);
        for (size_t i = first; i < last; ++i)
            args.append((*channels)[i].channel.toUtf8());
        batch.send(connection, args, [channels, first](const RedisReply &reply) {
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
                const size_t index = first + size_t(i / 2);
                if (index < channels->size())
                    (*channels)[index].subscribers = reply.elements.at(i + 1).integer;
            }
        });
    }
}

void RedisInspector::readNodeRecord(size_t index, const RedisReply &reply)
{
    FleetNode &node = m_snapshot.nodes[index];
    if (reply.isError())
        recordError("HGETALL", reply);
    else if (reply.elements.isEmpty())
        node.state = FleetNode::State::Vanished; // its hash expired: the node stopped refreshing it
    else
        node.record = NodeRecord::fromFields(strings(reply));
    const qint64 staleMs = 3 * NodeRecord::TtlSeconds * 1000;
    if (node.lastSeenMs + staleMs < QDateTime::currentMSecsSinceEpoch())
        node.state = FleetNode::State::Vanished;
}

void RedisInspector::recordError(const char *command, const RedisReply &reply, std::optional<size_t> server)
{
    const bool onMaster = server && m_snapshot.cluster && *server < m_snapshot.cluster->masters.size();
    const QString where = onMaster ? m_snapshot.cluster->masters[*server].address + QStringLiteral(": ") : QString();
    m_snapshot.errors.append(
        QStringLiteral("%1%2: %3").arg(where, QLatin1String(command), QString::fromUtf8(reply.string)));
}

QString RedisInspector::roomOf(const QByteArray &channel) const
{
    const QString name = QString::fromUtf8(channel);
    // The prefix this refresh started with, even if it was changed since.
    return name.startsWith(m_snapshot.prefix) ? name.mid(m_snapshot.prefix.size()) : name;
}

}
