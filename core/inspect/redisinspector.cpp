#include "redisinspector.h"

#include "console/redisserverconsole.h"
#include "driftdetector.h"
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
      m_connection(
          new RedisConnection(url, m_resolver, ClientNames::inspector(), RedisConnection::Mode::Command, this)),
      m_console(new RedisServerConsole(m_connection, url.toDisplayString(), this))
{
    if (m_resolver) {
        connect(m_resolver, &SentinelResolver::resolved, this,
                [this](const RedisUrl::Address &primary) { m_primary = primary; });
    }
    connect(m_connection, &RedisConnection::ready, this, &RedisInspector::connected);
    connect(m_connection, &RedisConnection::errorOccurred, this, &RedisInspector::errorOccurred);
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
    m_connection->open();
}

bool RedisInspector::isConnected() const
{
    return m_connection->isReady();
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
    if (sniffing == isSniffing())
        return;
    if (!sniffing) {
        delete m_sniffer;
        m_sniffer = nullptr;
        m_sniffCounts.clear();
        return;
    }
    m_sniffer = new RedisConnection(m_url, m_resolver, ClientNames::inspectorSniffer(),
                                    RedisConnection::Mode::Subscriber, this);
    connect(m_sniffer, &RedisConnection::ready, this, [this] {
        m_sniffer->send({"PSUBSCRIBE", m_prefix.toUtf8() + '*'});
        m_sniffCounts.clear();
        m_sniffClock.start();
    });
    connect(m_sniffer, &RedisConnection::pushReceived, this, [this](const RedisReply &reply) {
        if (reply.elements.size() == 4 && reply.elements.at(0).string == "pmessage")
            ++m_sniffCounts[QString::fromUtf8(reply.elements.at(2).string)];
    });
    m_sniffer->open();
}

void RedisInspector::refresh()
{
    if (m_refreshing || !m_connection->isReady())
        return;
    m_refreshing = true;
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
    listStage();
}

ReplyBatch RedisInspector::startStage()
{
    m_stage.emplace(m_connection, !writesAllowed());
    return *m_stage;
}

void RedisInspector::listStage()
{
    const QByteArray pattern = m_prefix.toUtf8() + '*';
    ReplyBatch batch = startStage();
    batch.send({"PUBSUB", "CHANNELS", pattern}, [this](const RedisReply &reply) { readChannels(reply); });
    batch.send({"PUBSUB", "SHARDCHANNELS", pattern}, [this](const RedisReply &reply) { readShardChannels(reply); });
    batch.send({"CLIENT", "LIST"}, [this](const RedisReply &reply) { readClients(reply); });
    batch.send({"CONFIG", "GET", "client-output-buffer-limit"},
               [this](const RedisReply &reply) { readBufferLimits(reply); });
    batch.send({"ZRANGE", NodeRecord::indexKey(), "0", "-1", "WITHSCORES"},
               [this](const RedisReply &reply) { readNodeIndex(reply); });
    if (m_snapshot.sentinel)
        batch.send({"ROLE"}, [this](const RedisReply &reply) { readRole(reply); });
    batch.whenAllReplied([this] { countStage(); }, [this] { abandonRefresh(); });
}

void RedisInspector::countStage()
{
    ReplyBatch batch = startStage();
    askSubscriberCounts(batch, &m_snapshot.channels, "NUMSUB");
    askSubscriberCounts(batch, &m_snapshot.shardChannels, "SHARDNUMSUB");
    for (size_t node = 0; node < m_snapshot.nodes.size(); ++node) {
        batch.send({"HGETALL", NodeRecord::key(m_snapshot.nodes[node].record.id)},
                   [this, node](const RedisReply &reply) { readNodeRecord(node, reply); });
    }
    batch.whenAllReplied([this] { finish(); }, [this] { abandonRefresh(); });
}

void RedisInspector::finish()
{
    m_stage.reset();
    m_snapshot.takenMs = QDateTime::currentMSecsSinceEpoch();
    attachConnections();
    measureRates();
    m_snapshot.findings = DriftDetector::detect(m_snapshot);
    m_refreshing = false;
    emit snapshotReady(m_snapshot);
}

void RedisInspector::abandonRefresh()
{
    // The connection went down mid-refresh; the next refresh after it is back starts afresh.
    m_stage.reset();
    m_refreshing = false;
}

void RedisInspector::readChannels(const RedisReply &reply)
{
    if (reply.isError())
        recordError("PUBSUB CHANNELS", reply);
    for (const QByteArray &channel : strings(reply))
        m_snapshot.channels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1});
    std::sort(m_snapshot.channels.begin(), m_snapshot.channels.end(),
              [](const ChannelInfo &a, const ChannelInfo &b) { return a.channel < b.channel; });
}

void RedisInspector::readShardChannels(const RedisReply &reply)
{
    if (reply.isError())
        m_snapshot.shardedSupported = false; // Redis before 7
    for (const QByteArray &channel : strings(reply))
        m_snapshot.shardChannels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1});
}

void RedisInspector::readClients(const RedisReply &reply)
{
    if (reply.isError())
        recordError("CLIENT LIST", reply);
    const QList<ClientInfo> clients = ClientInfo::parseList(reply.string);
    m_snapshot.clients.assign(clients.cbegin(), clients.cend());
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
    // ["master", offset, [[ip, port, offset], ...]]; a replica answers differently and lists none.
    if (reply.isError()) {
        recordError("ROLE", reply);
        return;
    }
    if (reply.elements.size() < 3 || reply.elements.at(0).string != "master")
        return;
    for (const RedisReply &replica : reply.elements.at(2).elements) {
        if (replica.elements.size() < 2)
            continue;
        const RedisUrl::Address address {QString::fromUtf8(replica.elements.at(0).string),
                                         replica.elements.at(1).string.toUShort()};
        m_snapshot.sentinel->replicas.append(address.toString());
    }
}

void RedisInspector::askSubscriberCounts(ReplyBatch &batch, std::vector<ChannelInfo> *channels,
                                         const QByteArray &command)
{
    for (size_t first = 0; first < channels->size(); first += NumsubBatch) {
        QList<QByteArray> args {"PUBSUB", command};
        const size_t last = std::min(channels->size(), first + NumsubBatch);
        for (size_t i = first; i < last; ++i)
            args.append((*channels)[i].channel.toUtf8());
        batch.send(args, [channels, first](const RedisReply &reply) {
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
        node.vanished = true; // its hash expired: the node stopped refreshing it
    else
        node.record = NodeRecord::fromFields(strings(reply));
    const qint64 staleMs = 3 * NodeRecord::TtlSeconds * 1000;
    if (node.lastSeenMs + staleMs < QDateTime::currentMSecsSinceEpoch())
        node.vanished = true;
}

void RedisInspector::attachConnections()
{
    for (FleetNode &node : m_snapshot.nodes) {
        const QString publishName = ClientNames::nodePublish(node.record.id);
        const QString subscribeName = ClientNames::nodeSubscribe(node.record.id);
        for (size_t c = 0; c < m_snapshot.clients.size(); ++c) {
            const QString &name = m_snapshot.clients[c].name;
            if (name == publishName)
                node.publishClient = int(c);
            else if (name == subscribeName)
                node.subscribeClient = int(c);
        }
    }
}

void RedisInspector::measureRates()
{
    if (!m_sniffer || !m_sniffClock.isValid())
        return;
    const double seconds = std::max(0.001, m_sniffClock.restart() / 1000.0);
    for (ChannelInfo &channel : m_snapshot.channels)
        channel.messagesPerSecond = double(m_sniffCounts.value(channel.channel)) / seconds;
    m_sniffCounts.clear();
}

void RedisInspector::recordError(const char *command, const RedisReply &reply)
{
    m_snapshot.errors.append(QStringLiteral("%1: %2").arg(QLatin1String(command), QString::fromUtf8(reply.string)));
}

QString RedisInspector::roomOf(const QByteArray &channel) const
{
    const QString name = QString::fromUtf8(channel);
    // The prefix this refresh started with, even if it was changed since.
    return name.startsWith(m_snapshot.prefix) ? name.mid(m_snapshot.prefix.size()) : name;
}

}
