#include "clientgroup.h"

#include "processsampler.h"

#include <QWebSocket>

#include <algorithm>
#include <cmath>

namespace {

constexpr qint64 TickNs = 1000000;
/// A lost client waits this long before it connects again, to the next node.
constexpr int ReconnectDelayMs = 200;

quint64 key(qint64 sender, qint64 sequence)
{
    return (quint64(sender) << 32) | quint64(sequence);
}

}

void ClientGroup::Result::merge(const Result &other)
{
    sent += other.sent;
    expected += other.expected;
    nodesReached += other.nodesReached;
    delivered += other.delivered;
    duplicates += other.duplicates;
    malformed += other.malformed;
    disconnected += other.disconnected;
    open += other.open;
    busy = std::max(busy, other.busy);
    unsent += other.unsent;
    resent += other.resent;
    reconnects += other.reconnects;
    latency.merge(other.latency);
    loopLag.merge(other.loopLag);
    logs.insert(logs.end(), other.logs.begin(), other.logs.end());
}

ClientGroup::ClientGroup(const BenchOptions &options, const ClientPlacement &placement, std::vector<int> clients,
                         const QElapsedTimer &clock, int concurrentHandshakes)
    : m_options(options), m_placement(placement), m_clock(clock), m_concurrentHandshakes(concurrentHandshakes),
      m_ticker(new QTimer(this))
{
    m_clients.resize(clients.size());
    for (size_t local = 0; local < clients.size(); ++local) {
        m_clients[local].index = clients[local];
        m_clients[local].node = m_placement.node(clients[local]);
        m_clients[local].room = QStringLiteral("%1%2").arg(options.roomPrefix).arg(m_placement.room(clients[local]));
        if (options.idleConnections == 0 && clients[local] < options.senders)
            m_senders.push_back(int(local));
    }
    if (options.senders > 0)
        m_rate = options.rate * double(m_senders.size()) / double(options.senders);
    // {"s":S,"q":Q,"t":T,"p":"..."}: pad so the whole value has the requested size.
    const int overhead = int(QByteArrayLiteral("{\"s\":100000,\"q\":1000000,\"t\":100000000000,\"p\":\"\"}").size());
    m_padding = QString(std::max(0, options.payloadBytes - overhead), QLatin1Char('x'));
    m_ticker->setTimerType(Qt::PreciseTimer);
    m_ticker->setInterval(int(TickNs / 1000000));
    connect(m_ticker, &QTimer::timeout, this, &ClientGroup::tick);
}

ClientGroup::~ClientGroup()
{
    for (Client &client : m_clients) {
        if (client.socket) {
            client.socket->disconnect(this);
            client.socket->abort();
        }
    }
}

void ClientGroup::open()
{
    if (m_clients.empty())
        emit connected();
    else
        connectMore();
}

void ClientGroup::connectMore()
{
    while (m_opened < int(m_clients.size()) && m_opened - m_connected < m_concurrentHandshakes)
        openSocket(m_opened++);
}

void ClientGroup::openSocket(int local)
{
    Client &client = m_clients[size_t(local)];
    ++client.generation;
    client.socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(client.socket, &QWebSocket::connected, this, [this, local] { onConnected(local); });
    connect(client.socket, &QWebSocket::textMessageReceived, this,
            [this, local](const QString &text) { onMessage(local, text); });
    connect(client.socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, local] {
        const Client &failing = m_clients[size_t(local)];
        if (!m_allConnected)
            emit failed(QStringLiteral("client %1: %2").arg(failing.index).arg(failing.socket->errorString()));
        else
            onLost(local);
    });
    // After everyone connected a lost connection is a result (a node cut off a client that
    // fell behind, or went away), not a failure of the bench: counted, and with --reconnect
    // the client connects again.
    connect(client.socket, &QWebSocket::disconnected, this, [this, local] {
        if (m_allConnected)
            onLost(local);
    });
    client.socket->open(BenchFrames::url(m_options.urls.at(client.node), m_options.protocol, client.room));
}

void ClientGroup::onConnected(int local)
{
    Client &client = m_clients[size_t(local)];
    if (m_options.protocol == BenchFrames::Protocol::Typed) {
        client.socket->sendTextMessage(BenchFrames::join(client.room, client.position));
        return;
    }
    goOnline(local);
}

void ClientGroup::onJoined(int local, const BenchFrames::Incoming &joined)
{
    Client &client = m_clients[size_t(local)];
    if (joined.recovered && client.generation > 1) {
        client.resendAfterOffset = joined.position.offset;
        if (client.position.offset >= client.resendAfterOffset)
            resendUnseen(local);
    }
    goOnline(local);
}

void ClientGroup::goOnline(int local)
{
    Client &client = m_clients[size_t(local)];
    client.online = true;
    if (client.offlineSinceNs >= 0) {
        client.offline.emplace_back(client.offlineSinceNs, m_clock.nsecsElapsed());
        client.offlineSinceNs = -1;
    }
    if (m_allConnected)
        return;
    ++m_connected;
    m_connectedSoFar.store(m_connected, std::memory_order_relaxed);
    if (m_connected < int(m_clients.size())) {
        connectMore();
        return;
    }
    m_allConnected = true;
    emit connected();
}

void ClientGroup::onLost(int local)
{
    Client &client = m_clients[size_t(local)];
    if (client.offlineSinceNs >= 0 && !client.socket)
        return; // already waiting to connect again
    if (client.offlineSinceNs < 0) {
        client.offlineSinceNs = m_clock.nsecsElapsed();
        ++m_result.disconnected;
    }
    client.online = false;
    client.socket->disconnect(this);
    client.socket->abort();
    client.socket->deleteLater();
    client.socket = nullptr;
    if (!m_options.reconnect)
        return;
    QTimer::singleShot(ReconnectDelayMs, this, [this, local] {
        Client &again = m_clients[size_t(local)];
        again.node = (again.node + 1) % int(m_options.urls.size());
        ++m_result.reconnects;
        openSocket(local);
    });
}

void ClientGroup::beginLoad(const Window &window)
{
    m_window = window;
    m_lastTickNs = m_clock.nsecsElapsed();
    m_ticker->start();
    if (m_options.rate == 0) {
        for (const int sender : m_senders)
            send(sender);
    }
}

void ClientGroup::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    if (m_measuring)
        m_result.loopLag.record(std::max<qint64>(0, now - m_lastTickNs - TickNs));
    m_lastTickNs = now;
    if (!m_measuring && now >= m_window.measureStartNs && now < m_window.measureEndNs) {
        m_measuring = true;
        m_busyStartNs = now;
        m_cpuStart = ProcessSampler::threadCpuSeconds();
    }
    if (now >= m_window.measureEndNs) {
        m_ticker->stop();
        if (m_measuring && now > m_busyStartNs)
            m_result.busy = (ProcessSampler::threadCpuSeconds() - m_cpuStart) / (double(now - m_busyStartNs) / 1e9);
        m_measuring = false;
        emit windowEnded();
        return;
    }
    if (m_rate <= 0 || m_senders.empty())
        return;
    const auto due = quint64(std::floor(m_rate * double(now - m_window.startNs) / 1e9));
    while (m_sentTotal < due) {
        send(m_senders[size_t(m_nextSender)]);
        m_nextSender = (m_nextSender + 1) % int(m_senders.size());
    }
}

void ClientGroup::send(int local)
{
    Client &client = m_clients[size_t(local)];
    const qint64 now = m_clock.nsecsElapsed();
    ++m_sentTotal;
    const bool measured = now >= m_window.measureStartNs && now < m_window.measureEndNs;
    if (!client.online) {
        m_result.unsent += measured;
        return;
    }
    const auto sequence = quint32(client.sentAtNs.size());
    client.sentAtNs.push_back(measured ? now : -1);
    client.sentOnGeneration.push_back(client.generation);
    sendPayload(client, sequence);
    if (measured) {
        const int room = m_placement.room(client.index);
        ++m_result.sent;
        m_result.expected += quint64(m_placement.roomSize(room));
        m_result.nodesReached += quint64(m_placement.nodesOfRoom(room));
        m_expectedSoFar.store(m_result.expected, std::memory_order_relaxed);
    }
}

void ClientGroup::sendPayload(Client &client, quint32 sequence)
{
    // A payload sent again keeps its first send time: its latency counts from then.
    const qint64 sentAt = client.sentAtNs[sequence] >= 0 ? client.sentAtNs[sequence] : m_clock.nsecsElapsed();
    const QString payload = BenchFrames::payload(client.index, sequence, sentAt, m_padding);
    client.socket->sendTextMessage(BenchFrames::publish(m_options.protocol, client.room, payload));
}

/// After a resumed join replayed everything up to the room's top: what this client sent on an
/// earlier connection and never saw come back never reached the room, so it goes again.
void ClientGroup::resendUnseen(int local)
{
    Client &client = m_clients[size_t(local)];
    client.resendAfterOffset = -1;
    for (quint32 sequence = 0; sequence < quint32(client.sentAtNs.size()); ++sequence) {
        const bool earlier = client.sentOnGeneration[sequence] < client.generation;
        if (earlier && client.sentAtNs[sequence] >= 0 && !client.seen.contains(key(client.index, sequence))) {
            sendPayload(client, sequence);
            ++m_result.resent;
        }
    }
}

void ClientGroup::onMessage(int local, const QString &text)
{
    const BenchFrames::Incoming incoming = BenchFrames::read(m_options.protocol, text);
    if (incoming.kind == BenchFrames::Incoming::Kind::Joined) {
        onJoined(local, incoming);
        return;
    }
    if (incoming.kind == BenchFrames::Incoming::Kind::Other)
        return;
    if (incoming.kind == BenchFrames::Incoming::Kind::Malformed) {
        ++m_result.malformed;
        return;
    }
    const qint64 now = m_clock.nsecsElapsed();
    Client &client = m_clients[size_t(local)];
    if (incoming.position.offset >= 0) {
        client.position = incoming.position;
        if (client.resendAfterOffset >= 0 && incoming.position.offset >= client.resendAfterOffset)
            resendUnseen(local);
    }
    if (m_options.rate == 0 && incoming.sender == client.index && now < m_window.measureEndNs)
        send(local);
    if (incoming.sentAt < m_window.measureStartNs || incoming.sentAt >= m_window.measureEndNs)
        return;
    const quint64 seenKey = key(incoming.sender, incoming.sequence);
    if (client.seen.contains(seenKey)) {
        ++m_result.duplicates;
        return;
    }
    client.seen.insert(seenKey);
    m_deliveredSoFar.store(++m_result.delivered, std::memory_order_relaxed);
    m_result.latency.record(now - incoming.sentAt);
}

ClientGroup::Result ClientGroup::result() const
{
    Result result = m_result;
    for (const Client &client : m_clients) {
        result.open += client.socket && client.socket->state() == QAbstractSocket::ConnectedState;
        if (!m_options.accountsLosses())
            continue;
        Result::ClientLog log {client.index, client.sentAtNs, client.seen, client.offline};
        if (client.offlineSinceNs >= 0)
            log.offline.emplace_back(client.offlineSinceNs, m_clock.nsecsElapsed());
        result.logs.push_back(std::move(log));
    }
    return result;
}
