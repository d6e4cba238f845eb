#include "loadgenerator.h"

#include "processsampler.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QWebSocket>

#include <cmath>

LoadGenerator::LoadGenerator(const BenchOptions &options, QObject *parent) : QObject(parent), m_options(options)
{
    const int clients = options.idleConnections > 0 ? options.idleConnections : options.clients;
    m_clients.resize(size_t(clients));
    m_roomSizes.assign(size_t(options.rooms), 0);
    for (int i = 0; i < clients; ++i) {
        m_clients[size_t(i)].room = i % options.rooms;
        ++m_roomSizes[size_t(i % options.rooms)];
    }
    m_nextSequence.assign(size_t(clients), 0);
    // {"s":S,"q":Q,"t":T,"p":"..."}: pad so the whole value has the requested size.
    const int overhead = int(QByteArrayLiteral("{\"s\":100000,\"q\":1000000,\"t\":100000000000,\"p\":\"\"}").size());
    m_padding = QString(std::max(0, options.payloadBytes - overhead), QLatin1Char('x'));
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(1);
    connect(&m_ticker, &QTimer::timeout, this, &LoadGenerator::tick);
}

LoadGenerator::~LoadGenerator()
{
    for (Client &client : m_clients) {
        if (client.socket)
            client.socket->abort();
    }
}

void LoadGenerator::start()
{
    m_clock.start();
    if (m_options.idleConnections > 0 && !m_options.pids.isEmpty())
        m_rssBefore = ProcessSampler::rssKiB(m_options.pids.first());
    QTimer::singleShot(ConnectTimeoutMs, this, [this] {
        if (m_phase == Phase::Connecting)
            emit failed(QStringLiteral("only %1 of %2 clients connected within %3 s")
                            .arg(m_connected)
                            .arg(m_clients.size())
                            .arg(ConnectTimeoutMs / 1000));
    });
    connectMore();
}

void LoadGenerator::connectMore()
{
    while (m_opened < int(m_clients.size()) && m_opened - m_connected < ConcurrentHandshakes) {
        const int index = m_opened++;
        Client &client = m_clients[size_t(index)];
        client.socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        QUrl url = m_options.urls.at(m_options.idleConnections > 0 ? 0 : index % m_options.urls.size());
        url.setPath(QStringLiteral("/"));
        url.setQuery(QStringLiteral("room=bench-%1").arg(client.room));
        connect(client.socket, &QWebSocket::connected, this, &LoadGenerator::onConnected);
        connect(client.socket, &QWebSocket::textMessageReceived, this,
                [this, index](const QString &text) { onMessage(index, text); });
        connect(client.socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, index] {
            if (m_phase == Phase::Connecting)
                emit failed(
                    QStringLiteral("client %1: %2").arg(index).arg(m_clients[size_t(index)].socket->errorString()));
        });
        client.socket->open(url);
    }
}

void LoadGenerator::onConnected()
{
    ++m_connected;
    if (m_connected < int(m_clients.size())) {
        connectMore();
        return;
    }
    // Let every node register its members and subscribe before traffic starts.
    QTimer::singleShot(m_options.idleConnections > 0 ? 2000 : 500, this, &LoadGenerator::beginLoad);
}

void LoadGenerator::beginLoad()
{
    if (m_options.idleConnections > 0) {
        QTimer::singleShot(int(m_options.seconds * 1000), this, [this] { emit finished(idleResult()); });
        return;
    }
    m_phase = Phase::Warmup;
    const qint64 now = m_clock.nsecsElapsed();
    m_measureStartNs = now + qint64(m_options.warmupSeconds * 1e9);
    m_measureEndNs = m_measureStartNs + qint64(m_options.seconds * 1e9);
    m_sentTotal = 0;
    if (m_options.rate > 0) {
        m_ticker.start();
    } else {
        for (int sender = 0; sender < m_options.senders; ++sender)
            send(sender);
        QTimer::singleShot(int((m_options.warmupSeconds + m_options.seconds) * 1000), this, [this] {
            m_phase = Phase::Draining;
            QTimer::singleShot(DrainMs, this, &LoadGenerator::finish);
        });
    }
    QTimer::singleShot(int(m_options.warmupSeconds * 1000), this, [this] {
        m_phase = Phase::Measuring;
        m_serverCpuStart = ProcessSampler::cpuSeconds(m_options.pids);
        m_ownCpuStart = ProcessSampler::ownCpuSeconds();
    });
}

void LoadGenerator::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    if (now >= m_measureEndNs) {
        m_ticker.stop();
        m_phase = Phase::Draining;
        QTimer::singleShot(DrainMs, this, &LoadGenerator::finish);
        return;
    }
    const double elapsed = double(now - (m_measureStartNs - qint64(m_options.warmupSeconds * 1e9))) / 1e9;
    const auto due = quint64(std::floor(m_options.rate * elapsed));
    while (m_sentTotal < due && m_options.senders > 0) {
        send(m_nextSender);
        m_nextSender = (m_nextSender + 1) % m_options.senders;
    }
}

void LoadGenerator::send(int sender)
{
    const qint64 now = m_clock.nsecsElapsed();
    const quint32 sequence = m_nextSequence[size_t(sender)]++;
    const QString payload
        = QStringLiteral("{\"s\":%1,\"q\":%2,\"t\":%3,\"p\":\"%4\"}").arg(sender).arg(sequence).arg(now).arg(m_padding);
    m_clients[size_t(sender)].socket->sendTextMessage(payload);
    ++m_sentTotal;
    if (now >= m_measureStartNs && now < m_measureEndNs) {
        ++m_sent;
        m_expected += quint64(m_roomSizes[size_t(m_clients[size_t(sender)].room)]);
    }
}

namespace {

qint64 field(QStringView text, QStringView key)
{
    const qsizetype at = text.indexOf(key);
    if (at < 0)
        return -1;
    qint64 value = 0;
    qsizetype i = at + key.size();
    const qsizetype start = i;
    while (i < text.size() && text[i].isDigit())
        value = value * 10 + (text[i++].unicode() - '0');
    return i == start ? -1 : value;
}

}

void LoadGenerator::onMessage(int receiver, const QString &text)
{
    const qint64 sender = field(text, u"\"s\":");
    const qint64 sequence = field(text, u"\"q\":");
    const qint64 sentAt = field(text, u"\"t\":");
    if (sender < 0 || sequence < 0 || sentAt < 0) {
        ++m_malformed;
        return;
    }
    const qint64 now = m_clock.nsecsElapsed();
    if (m_options.rate == 0 && sender == receiver && m_phase != Phase::Draining && m_phase != Phase::Done)
        send(receiver);
    if (sentAt < m_measureStartNs || sentAt >= m_measureEndNs)
        return;
    const quint64 key = (quint64(sender) << 32) | quint64(sequence);
    if (m_clients[size_t(receiver)].seen.contains(key)) {
        ++m_duplicates;
        return;
    }
    m_clients[size_t(receiver)].seen.insert(key);
    ++m_delivered;
    m_latency.record(now - sentAt);
}

void LoadGenerator::finish()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    const double serverCpu
        = m_options.pids.isEmpty() ? -1 : ProcessSampler::cpuSeconds(m_options.pids) - m_serverCpuStart;
    const double ownCpu = ProcessSampler::ownCpuSeconds() - m_ownCpuStart;
    const double window = m_options.seconds;
    QJsonObject result {
        {"label", m_options.label},
        {"nodes", int(m_options.urls.size())},
        {"clients", m_options.clients},
        {"rooms", m_options.rooms},
        {"senders", m_options.senders},
        {"rate", m_options.rate},
        {"payload_bytes", m_options.payloadBytes},
        {"seconds", window},
        {"sent", double(m_sent)},
        {"sent_per_second", double(m_sent) / window},
        {"expected", double(m_expected)},
        {"delivered", double(m_delivered)},
        {"lost", double(m_expected > m_delivered ? m_expected - m_delivered : 0)},
        {"duplicates", double(m_duplicates)},
        {"malformed", double(m_malformed)},
        {"deliveries_per_second", double(m_delivered) / window},
        {"latency_ms",
         QJsonObject {{"p50", m_latency.quantileNs(0.50) / 1e6},
                      {"p99", m_latency.quantileNs(0.99) / 1e6},
                      {"max", m_latency.maxNs() / 1e6}}},
        {"bench_cpu_seconds", ownCpu},
    };
    if (serverCpu >= 0) {
        result.insert(QStringLiteral("server_cpu_seconds"), serverCpu);
        result.insert(QStringLiteral("server_cpu_us_per_delivery"),
                      m_delivered ? serverCpu * 1e6 / double(m_delivered) : 0.0);
    }
    emit finished(result);
}

QJsonObject LoadGenerator::idleResult()
{
    const qint64 after = m_options.pids.isEmpty() ? -1 : ProcessSampler::rssKiB(m_options.pids.first());
    int open = 0;
    for (const Client &client : m_clients)
        open += client.socket && client.socket->state() == QAbstractSocket::ConnectedState;
    QJsonObject result {{"label", m_options.label}, {"idle_connections", open}};
    if (after >= 0 && m_rssBefore >= 0) {
        result.insert(QStringLiteral("server_rss_before_kib"), double(m_rssBefore));
        result.insert(QStringLiteral("server_rss_after_kib"), double(after));
        result.insert(QStringLiteral("bytes_per_connection"), double(after - m_rssBefore) * 1024.0 / std::max(1, open));
    }
    return result;
}
