#include "clientgroup.h"

#include "processsampler.h"

#include <QWebSocket>

#include <algorithm>
#include <cmath>

namespace {

constexpr qint64 TickNs = 1000000;

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
    latency.merge(other.latency);
    loopLag.merge(other.loopLag);
}

ClientGroup::ClientGroup(const BenchOptions &options, const ClientPlacement &placement, std::vector<int> clients,
                         const QElapsedTimer &clock, int concurrentHandshakes)
    : m_options(options), m_placement(placement), m_clock(clock), m_concurrentHandshakes(concurrentHandshakes),
      m_ticker(new QTimer(this))
{
    m_clients.resize(clients.size());
    for (size_t local = 0; local < clients.size(); ++local) {
        m_clients[local].index = clients[local];
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
    while (m_opened < int(m_clients.size()) && m_opened - m_connected < m_concurrentHandshakes) {
        const int local = m_opened++;
        Client &client = m_clients[size_t(local)];
        client.socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        QUrl url = m_options.urls.at(m_placement.node(client.index));
        url.setPath(QStringLiteral("/"));
        url.setQuery(QStringLiteral("room=%1%2").arg(m_options.roomPrefix).arg(m_placement.room(client.index)));
        connect(client.socket, &QWebSocket::connected, this, &ClientGroup::onConnected);
        connect(client.socket, &QWebSocket::textMessageReceived, this,
                [this, local](const QString &text) { onMessage(local, text); });
        connect(client.socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, local] {
            const Client &failing = m_clients[size_t(local)];
            if (m_connected < int(m_clients.size()))
                emit failed(QStringLiteral("client %1: %2").arg(failing.index).arg(failing.socket->errorString()));
        });
        // After everyone connected a lost connection is a result (a node cut off a client that
        // fell behind, say), not a failure of the bench: counted, and its deliveries count as lost.
        connect(client.socket, &QWebSocket::disconnected, this, [this] {
            if (m_connected == int(m_clients.size()))
                ++m_result.disconnected;
        });
        client.socket->open(url);
    }
}

void ClientGroup::onConnected()
{
    ++m_connected;
    m_connectedSoFar.store(m_connected, std::memory_order_relaxed);
    if (m_connected == int(m_clients.size()))
        emit connected();
    else
        connectMore();
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
    const QString payload = QStringLiteral("{\"s\":%1,\"q\":%2,\"t\":%3,\"p\":\"%4\"}")
                                .arg(client.index)
                                .arg(client.nextSequence++)
                                .arg(now)
                                .arg(m_padding);
    client.socket->sendTextMessage(payload);
    ++m_sentTotal;
    if (now >= m_window.measureStartNs && now < m_window.measureEndNs) {
        const int room = m_placement.room(client.index);
        ++m_result.sent;
        m_result.expected += quint64(m_placement.roomSize(room));
        m_result.nodesReached += quint64(m_placement.nodesOfRoom(room));
        m_expectedSoFar.store(m_result.expected, std::memory_order_relaxed);
    }
}

void ClientGroup::onMessage(int local, const QString &text)
{
    const qint64 sender = field(text, u"\"s\":");
    const qint64 sequence = field(text, u"\"q\":");
    const qint64 sentAt = field(text, u"\"t\":");
    if (sender < 0 || sequence < 0 || sentAt < 0) {
        ++m_result.malformed;
        return;
    }
    const qint64 now = m_clock.nsecsElapsed();
    Client &client = m_clients[size_t(local)];
    if (m_options.rate == 0 && sender == client.index && now < m_window.measureEndNs)
        send(local);
    if (sentAt < m_window.measureStartNs || sentAt >= m_window.measureEndNs)
        return;
    const quint64 key = (quint64(sender) << 32) | quint64(sequence);
    if (client.seen.contains(key)) {
        ++m_result.duplicates;
        return;
    }
    client.seen.insert(key);
    m_deliveredSoFar.store(++m_result.delivered, std::memory_order_relaxed);
    m_result.latency.record(now - sentAt);
}

ClientGroup::Result ClientGroup::result() const
{
    Result result = m_result;
    for (const Client &client : m_clients)
        result.open += client.socket && client.socket->state() == QAbstractSocket::ConnectedState;
    return result;
}
