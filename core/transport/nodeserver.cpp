#include "nodeserver.h"

#include "epollpoller.h"
#include "logging.h"
#include "node/node.h"
#include "tcplistener.h"
#include "websocket/websockethandshake.h"
#include "wireconnection.h"

#include <QDateTime>
#include <QUrlQuery>

#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fanout {

namespace {

/// Typed mode's `batch` and `delay_ms` (docs/protocol.md, "Batching"): size 0 for none; the
/// fault, for a 400, when they are not whole numbers in range.
QByteArray readBatching(const QUrlQuery &query, int *size, int *delayMs)
{
    *size = 0;
    *delayMs = NodeServer::DefaultBatchDelayMs;
    const auto number = [&query](const QString &name, int low, int high, int *value) {
        if (!query.hasQueryItem(name))
            return true;
        bool ok = false;
        *value = query.queryItemValue(name).toInt(&ok);
        return ok && *value >= low && *value <= high;
    };
    if (!number(QStringLiteral("batch"), 1, NodeServer::MaxBatch, size))
        return "batch must be a whole number from 1 to " + QByteArray::number(NodeServer::MaxBatch) + '\n';
    if (!number(QStringLiteral("delay_ms"), 0, NodeServer::MaxBatchDelayMs, delayMs))
        return "delay_ms must be a whole number from 0 to " + QByteArray::number(NodeServer::MaxBatchDelayMs) + '\n';
    if (*size == 0 && query.hasQueryItem(QStringLiteral("delay_ms")))
        return "delay_ms goes with batch\n";
    return {};
}

}

NodeServer::NodeServer(Node *node, QObject *parent)
    : QObject(parent), m_node(node), m_protocol(*node), m_poller(new EpollPoller(this)),
      m_listener(new TcpListener(m_poller, this))
{
    connect(m_listener, &TcpListener::accepted, this, &NodeServer::adopt);
    m_upgradeSweep.setInterval(1000);
    connect(&m_upgradeSweep, &QTimer::timeout, this, &NodeServer::expireUpgrades);
}

NodeServer::~NodeServer()
{
    for (auto it = m_upgrades.cbegin(); it != m_upgrades.cend(); ++it) {
        m_poller->remove(it.key());
        ::close(it.key());
    }
    for (WireConnection *session : std::exchange(m_sessions, {})) {
        session->disconnect(this);
        m_protocol.closed(session);
    }
    // Every socket leaves the poller before the poller goes: the sessions (those still
    // waiting for their deleteLater too) and the listener.
    qDeleteAll(findChildren<WireConnection *>(Qt::FindDirectChildrenOnly));
    delete m_listener;
}

bool NodeServer::listen(const QHostAddress &address, quint16 port)
{
    return m_poller->isValid() && m_listener->listen(address, port);
}

QString NodeServer::errorString() const
{
    return m_listener->errorString();
}

QHostAddress NodeServer::address() const
{
    return m_listener->address();
}

quint16 NodeServer::port() const
{
    return m_listener->port();
}

QUrl NodeServer::url() const
{
    QHostAddress host = address();
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(host.toString());
    url.setPort(port());
    return url;
}

void NodeServer::setAllowedOrigins(const QStringList &origins)
{
    m_allowedOrigins.clear();
    for (const QString &origin : origins)
        m_allowedOrigins.insert(origin.trimmed().toLower().toUtf8());
}

EdgeStats NodeServer::stats() const
{
    return m_stats;
}

NodeMetrics NodeServer::metrics() const
{
    NodeMetrics metrics;
    metrics.node = m_node->stats();
    metrics.edge = m_stats;
    metrics.rejectedFrames = m_protocol.rejectedFrames();
    metrics.floodCloses = m_protocol.floodCloses();
    metrics.publishRoundTrip = m_node->publishRoundTrip();
    metrics.pubsubLag = m_node->pubsubLag();
    for (const QString &room : m_node->rooms()) {
        metrics.rooms.insert(room);
        for (const QByteArray &channel : m_node->channels().all(room))
            metrics.roomChannels.insert(channel);
    }
    return metrics;
}

std::vector<SessionInfo> NodeServer::sessions(qsizetype limit) const
{
    std::vector<SessionInfo> list;
    for (WireConnection *session : m_sessions) {
        if (qsizetype(list.size()) >= limit)
            break;
        list.push_back({session->id(), session->user(), m_node->roomsOf(session), session->queuedBytes(),
                        session->isWaitingToWrite()});
    }
    std::sort(list.begin(), list.end(), [](const SessionInfo &a, const SessionInfo &b) { return a.id < b.id; });
    return list;
}

bool NodeServer::closeSession(const QString &id, int code, const QString &reason)
{
    for (WireConnection *session : std::as_const(m_sessions)) {
        if (session->id() == id && session->isOpen()) {
            session->close(code, reason);
            return true;
        }
    }
    return false;
}

void NodeServer::shutdown()
{
    m_listener->close();
    for (WireConnection *session : std::as_const(m_sessions))
        session->close(1001, QStringLiteral("node shutting down"));
}

void NodeServer::adopt(int fd)
{
    if (!m_poller->add(fd, EPOLLIN, [this, fd](quint32) { readUpgrade(fd); })) {
        ::close(fd);
        return;
    }
    m_upgrades.insert(fd, Upgrade {{}, QDateTime::currentMSecsSinceEpoch() + HandshakeTimeoutMs});
    if (!m_upgradeSweep.isActive())
        m_upgradeSweep.start();
}

void NodeServer::readUpgrade(int fd)
{
    const auto found = m_upgrades.find(fd);
    if (found == m_upgrades.end())
        return;
    char *buffer = m_poller->readBuffer();
    const ssize_t got = ::recv(fd, buffer, EpollPoller::ReadBufferBytes, 0);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        dropUpgrade(fd);
        return;
    }
    found->request.append(buffer, got);
    const WebSocketHandshake::Result result = WebSocketHandshake::read(found->request);
    if (result.status == WebSocketHandshake::Result::Status::Incomplete)
        return;
    if (result.status == WebSocketHandshake::Result::Status::Bad) {
        refuse(fd, 400, result.response);
        return;
    }
    if (!m_allowedOrigins.isEmpty() && !result.request.origin.isEmpty()
        && !m_allowedOrigins.contains(result.request.origin.toLower())) {
        refuse(fd, 403, WebSocketHandshake::refuse(403, "origin " + result.request.origin + " is not allowed\n"));
        return;
    }
    const QUrl &target = result.request.target;
    // Room mode carries its token on the URL or not at all: without one (an empty `token=` is
    // none) the upgrade is refused before any WebSocket exists.
    if (m_protocol.requiresToken() && target.path() != TypedPath
        && QUrlQuery(target).queryItemValue(QStringLiteral("token")).isEmpty()) {
        refuse(fd, 401, WebSocketHandshake::refuse(401, "a token is required: ws://host:port/?room=R&token=T\n"));
        return;
    }
    int batchSize = 0;
    int batchDelayMs = 0;
    if (target.path() == TypedPath) {
        if (const QByteArray fault = readBatching(QUrlQuery(target), &batchSize, &batchDelayMs); !fault.isEmpty()) {
            refuse(fd, 400, WebSocketHandshake::refuse(400, fault));
            return;
        }
    }
    const QByteArray request = m_upgrades.take(fd).request;
    WireConnection *session = open(fd, target, WebSocketHandshake::accept(result.request.key),
                                   QByteArrayView(request).sliced(result.length));
    if (session && batchSize > 0)
        session->setBatching(batchSize, batchDelayMs);
}

void NodeServer::refuse(int fd, int status, const QByteArray &response)
{
    ++m_stats.refusedUpgrades[status];
    // Best effort: the answer is small and the socket fresh, so it fits the kernel's buffer.
    (void)::send(fd, response.constData(), size_t(response.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    dropUpgrade(fd);
}

WireConnection *NodeServer::open(int fd, const QUrl &target, const QByteArray &answer, QByteArrayView leftover)
{
    const bool typed = target.path() == TypedPath;
    const QUrlQuery query(target);
    QString room = query.queryItemValue(QStringLiteral("room"), QUrl::FullyDecoded);
    const QByteArray token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    if (room.isEmpty())
        room = DefaultRoom;
    const QString id = m_node->id() + QLatin1Char('/') + QString::number(m_nextSessionNumber);
    m_nextSessionNumber += m_sessionNumberStep;
    auto *session = new WireConnection(fd, m_poller, id, typed ? SessionProtocol::Typed : SessionProtocol::Room,
                                       m_maxMessageBytes, this);
    session->sendRaw(answer);
    connect(session, &WireConnection::finished, this, [this, session] { onFinished(session); });
    QString error;
    if (!typed && !Node::isValidRoom(room, &error)) {
        qCInfo(lcTransport).noquote() << "refused" << target.toString() << ":" << error;
        session->close(1008, error);
        return nullptr;
    }
    m_sessions.insert(session);
    ++(typed ? m_stats.typedConnections : m_stats.roomConnections);
    connect(session, &WireConnection::closedByServer, this, [this](int code) {
        if (code == 1008)
            ++m_stats.slowClientCloses;
        else
            ++m_stats.protocolCloses[code];
    });
    connect(session, &WireConnection::textReceived, this,
            [this, session](const QByteArray &text) { m_protocol.textReceived(session, text); });
    connect(session, &WireConnection::binaryReceived, this, [this, session] { m_protocol.binaryReceived(session); });
    m_protocol.opened(session, typed ? QString() : room, token);
    emit sessionOpened(id);
    session->received(leftover);
    return session;
}

void NodeServer::dropUpgrade(int fd)
{
    m_upgrades.remove(fd);
    m_poller->remove(fd);
    ::close(fd);
    freed();
}

void NodeServer::expireUpgrades()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<int> expired;
    for (auto it = m_upgrades.cbegin(); it != m_upgrades.cend(); ++it) {
        if (it->deadlineMs <= now)
            expired.append(it.key());
    }
    for (const int fd : expired)
        dropUpgrade(fd);
    if (m_upgrades.isEmpty())
        m_upgradeSweep.stop();
}

void NodeServer::onFinished(WireConnection *session)
{
    if (m_sessions.remove(session)) {
        --(session->protocol() == SessionProtocol::Typed ? m_stats.typedConnections : m_stats.roomConnections);
        m_protocol.closed(session);
        emit sessionClosed(session->id());
    }
    session->deleteLater();
    freed();
}

void NodeServer::freed()
{
    m_listener->resume();
    emit descriptorFreed();
}

}
