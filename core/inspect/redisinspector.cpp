#include "redisinspector.h"

#include "driftdetector.h"
#include "redis/rediscommandline.h"
#include "redis/redisconnection.h"

#include <QDateTime>

#include <algorithm>

namespace fanout {

namespace {

const QByteArray ClientName = "fanout-inspector";

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
      m_connection(new RedisConnection(url, QString::fromLatin1(ClientName), RedisConnection::Mode::Command, this))
{
    connect(m_connection, &RedisConnection::ready, this, &RedisInspector::connected);
    connect(m_connection, &RedisConnection::errorOccurred, this, &RedisInspector::errorOccurred);
    connect(m_connection, &RedisConnection::lost, this, [this] {
        m_refreshing = false;
        m_outstanding = 0;
    });
    connect(&m_refreshTimer, &QTimer::timeout, this, &RedisInspector::refresh);
}

RedisInspector::~RedisInspector() = default;

void RedisInspector::open()
{
    m_connection->open();
}

bool RedisInspector::isConnected() const
{
    return m_connection->isReady();
}

void RedisInspector::setWritesAllowed(bool allowed)
{
    if (allowed == m_writesAllowed)
        return;
    m_writesAllowed = allowed;
    emit modeChanged(allowed);
}

void RedisInspector::setRefreshInterval(int milliseconds)
{
    if (milliseconds <= 0)
        m_refreshTimer.stop();
    else
        m_refreshTimer.start(milliseconds);
}

bool RedisInspector::isAllowed(const QList<QByteArray> &args) const
{
    if (m_writesAllowed)
        return true;
    if (args.isEmpty())
        return false;
    const QByteArray command = args.first().toUpper();
    const QByteArray sub = args.size() > 1 ? args.at(1).toUpper() : QByteArray();
    static const QList<QByteArray> reads{"PING", "PUBSUB", "ZRANGE", "ZCARD", "HGETALL", "HGET",
                                         "INFO", "EXISTS", "TTL", "PTTL", "TYPE", "SCAN", "DBSIZE"};
    if (reads.contains(command))
        return true;
    if (command == "CLIENT")
        return sub == "LIST" || sub == "INFO" || sub == "GETNAME";
    if (command == "CONFIG")
        return sub == "GET";
    return false;
}

bool RedisInspector::send(const QList<QByteArray> &args, std::function<void(const RedisReply &)> handler)
{
    if (!isAllowed(args)) {
        handler(RedisReply::makeError("ERR refused by the inspector: read-only mode (allow writes first)"));
        return false;
    }
    if (!m_connection->send(args, std::move(handler))) {
        return false;
    }
    return true;
}

void RedisInspector::execute(const QString &commandLine)
{
    QString refusal;
    const auto args = RedisCommandLine::forConsole(commandLine, &refusal);
    if (!args) {
        if (!refusal.isEmpty())
            emit commandAnswered(commandLine, refusal);
        return;
    }
    const bool sent = send(*args, [this, commandLine](const RedisReply &reply) {
        emit commandAnswered(commandLine, reply.toDisplayString());
    });
    if (!sent && isAllowed(*args))
        emit commandAnswered(commandLine, QStringLiteral("(error) not connected to %1").arg(m_url.toDisplayString()));
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
    m_sniffer = new RedisConnection(m_url, QStringLiteral("fanout-inspector:sniff"),
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

QString RedisInspector::roomOf(const QByteArray &channel) const
{
    const QString name = QString::fromUtf8(channel);
    return name.startsWith(m_prefix) ? name.mid(m_prefix.size()) : name;
}

void RedisInspector::expect(int replies, std::function<void()> then)
{
    m_outstanding = replies;
    m_then = std::move(then);
    if (replies == 0)
        QMetaObject::invokeMethod(this, [this] { std::exchange(m_then, {})(); }, Qt::QueuedConnection);
}

void RedisInspector::replied()
{
    if (--m_outstanding == 0 && m_then)
        std::exchange(m_then, {})();
}

void RedisInspector::refresh()
{
    if (m_refreshing || !m_connection->isReady())
        return;
    m_refreshing = true;
    m_pending = InspectionSnapshot();
    m_pending.url = m_url.toDisplayString();
    m_pending.prefix = m_prefix;
    m_pending.readOnly = !m_writesAllowed;
    m_pending.sniffing = isSniffing();
    const QByteArray pattern = m_prefix.toUtf8() + '*';
    const auto fail = [this](const char *what, const RedisReply &reply) {
        m_pending.errors.append(QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromUtf8(reply.string)));
    };

    // Stage 1: what is there. Stage 2: subscriber counts and node records. Stage 3: drift.
    expect(5, [this, fail] {
        int stage2 = 0;
        const auto batches = [](const std::vector<ChannelInfo> &channels) {
            return int((channels.size() + NumsubBatch - 1) / NumsubBatch);
        };
        stage2 += batches(m_pending.channels) + batches(m_pending.shardChannels) + int(m_pending.nodes.size());
        expect(stage2, [this] { finishRefresh(); });
        readNumsub(&m_pending.channels, "NUMSUB");
        readNumsub(&m_pending.shardChannels, "SHARDNUMSUB");
        for (size_t i = 0; i < m_pending.nodes.size(); ++i) {
            send({"HGETALL", NodeRecord::key(m_pending.nodes[i].record.id)}, [this, i, fail](const RedisReply &reply) {
                FleetNode &node = m_pending.nodes[i];
                if (reply.isError())
                    fail("HGETALL", reply);
                else if (reply.elements.isEmpty())
                    node.vanished = true;
                else
                    node.record = NodeRecord::fromFields(strings(reply));
                if (!node.vanished && node.lastSeenMs + 3 * NodeRecord::TtlSeconds * 1000 < QDateTime::currentMSecsSinceEpoch())
                    node.vanished = true;
                replied();
            });
        }
    });
    send({"PUBSUB", "CHANNELS", pattern}, [this, fail](const RedisReply &reply) {
        if (reply.isError())
            fail("PUBSUB CHANNELS", reply);
        for (const QByteArray &channel : strings(reply))
            m_pending.channels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1});
        std::sort(m_pending.channels.begin(), m_pending.channels.end(),
                  [](const ChannelInfo &a, const ChannelInfo &b) { return a.channel < b.channel; });
        replied();
    });
    send({"PUBSUB", "SHARDCHANNELS", pattern}, [this](const RedisReply &reply) {
        if (reply.isError())
            m_pending.shardedSupported = false; // Redis before 7
        for (const QByteArray &channel : strings(reply))
            m_pending.shardChannels.push_back({QString::fromUtf8(channel), roomOf(channel), 0, -1});
        replied();
    });
    send({"CLIENT", "LIST"}, [this, fail](const RedisReply &reply) {
        if (reply.isError())
            fail("CLIENT LIST", reply);
        const QList<ClientInfo> clients = ClientInfo::parseList(reply.string);
        m_pending.clients.assign(clients.cbegin(), clients.cend());
        replied();
    });
    send({"CONFIG", "GET", "client-output-buffer-limit"}, [this](const RedisReply &reply) {
        // "normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60"
        if (reply.elements.size() == 2) {
            const QList<QByteArray> words = reply.elements.at(1).string.split(' ');
            const qsizetype at = words.indexOf("pubsub");
            if (at >= 0 && at + 3 < words.size()) {
                m_pending.pubsubHardLimit = words.at(at + 1).toLongLong();
                m_pending.pubsubSoftLimit = words.at(at + 2).toLongLong();
                m_pending.pubsubSoftSeconds = words.at(at + 3).toLongLong();
            }
        }
        replied(); // managed Redis services often refuse CONFIG: the documented defaults stay
    });
    send({"ZRANGE", NodeRecord::indexKey(), "0", "-1", "WITHSCORES"}, [this, fail](const RedisReply &reply) {
        if (reply.isError())
            fail("ZRANGE", reply);
        const QList<QByteArray> flat = strings(reply);
        for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
            FleetNode node;
            node.record.id = QString::fromUtf8(flat.at(i));
            node.lastSeenMs = flat.at(i + 1).toLongLong();
            m_pending.nodes.push_back(node);
        }
        replied();
    });
}

void RedisInspector::readNumsub(std::vector<ChannelInfo> *channels, const QByteArray &command)
{
    for (size_t first = 0; first < channels->size(); first += NumsubBatch) {
        QList<QByteArray> args{"PUBSUB", command};
        const size_t last = std::min(channels->size(), first + NumsubBatch);
        for (size_t i = first; i < last; ++i)
            args.append((*channels)[i].channel.toUtf8());
        send(args, [this, channels, first](const RedisReply &reply) {
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
                const size_t index = first + size_t(i / 2);
                if (index < channels->size())
                    (*channels)[index].subscribers = reply.elements.at(i + 1).integer;
            }
            replied();
        });
    }
}

void RedisInspector::finishRefresh()
{
    m_pending.takenMs = QDateTime::currentMSecsSinceEpoch();
    for (FleetNode &node : m_pending.nodes) {
        for (size_t c = 0; c < m_pending.clients.size(); ++c) {
            const QString &name = m_pending.clients[c].name;
            if (name == QStringLiteral("fanout:%1:pub").arg(node.record.id))
                node.publishClient = int(c);
            else if (name == QStringLiteral("fanout:%1:sub").arg(node.record.id))
                node.subscribeClient = int(c);
        }
    }
    if (m_sniffer && m_sniffClock.isValid()) {
        const double seconds = std::max(0.001, m_sniffClock.restart() / 1000.0);
        for (ChannelInfo &channel : m_pending.channels)
            channel.messagesPerSecond = double(m_sniffCounts.value(channel.channel)) / seconds;
        m_sniffCounts.clear();
    }
    m_pending.findings = DriftDetector::detect(m_pending);
    m_refreshing = false;
    emit snapshotReady(m_pending);
}

}
