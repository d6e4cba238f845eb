#include "nodeserver.h"

#include "logging.h"
#include "node/node.h"
#include "websocketsession.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

namespace fanout {

NodeServer::NodeServer(Node *node, QObject *parent)
    : QObject(parent), m_node(node), m_protocol(*node), m_tcpServer(new QTcpServer(this)),
      m_webSocketServer(new QWebSocketServer(QStringLiteral("fanout-node"), QWebSocketServer::NonSecureMode, this))
{
    connect(m_tcpServer, &QTcpServer::newConnection, this, &NodeServer::acceptTcp);
    connect(m_webSocketServer, &QWebSocketServer::newConnection, this, &NodeServer::acceptWebSocket);
}

NodeServer::~NodeServer()
{
    for (WebSocketSession *session : std::exchange(m_sessions, {})) {
        session->socket()->disconnect(this);
        m_protocol.closed(session);
        delete session;
    }
}

bool NodeServer::listen(const QHostAddress &address, quint16 port)
{
    return m_tcpServer->listen(address, port);
}

QString NodeServer::errorString() const
{
    return m_tcpServer->errorString();
}

QHostAddress NodeServer::address() const
{
    return m_tcpServer->serverAddress();
}

quint16 NodeServer::port() const
{
    return m_tcpServer->serverPort();
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

void NodeServer::shutdown()
{
    m_tcpServer->close();
    const auto sessions = m_sessions;
    for (WebSocketSession *session : sessions)
        session->close(int(QWebSocketProtocol::CloseCodeGoingAway), QStringLiteral("node shutting down"));
}

void NodeServer::acceptTcp()
{
    while (QTcpSocket *socket = m_tcpServer->nextPendingConnection()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const auto key = std::make_pair(socket->peerAddress().toString(), socket->peerPort());
        m_handshaking.insert(key, socket);
        connect(socket, &QObject::destroyed, this, [this, key] { m_handshaking.remove(key); });
        // handleConnection() starts no handshake timeout of its own: a peer that never
        // upgrades would hold its descriptor for ever.
        QTimer::singleShot(HandshakeTimeoutMs, socket, [this, key, socket] {
            if (m_handshaking.value(key) == socket)
                socket->abort();
        });
        if (m_protocol.requiresToken())
            screenRequest(socket);
        else
            m_webSocketServer->handleConnection(socket);
    }
}

void NodeServer::screenRequest(QTcpSocket *socket)
{
    // Room mode carries its token on the URL or not at all: without one (an empty `token=` is
    // none) the upgrade is refused with 401 before any WebSocket exists. The request line is
    // peeked, not read, so the handshake sees the request whole.
    // The screen is a child of the socket: it goes with it, however the socket ends.
    auto *screen = new QObject(socket);
    connect(socket, &QTcpSocket::readyRead, screen, [this, socket, screen] {
        if (!socket->canReadLine()) {
            if (socket->bytesAvailable() > MaxRequestLineBytes)
                socket->abort();
            return;
        }
        disconnect(socket, nullptr, screen, nullptr);
        screen->deleteLater();
        const QByteArray line = socket->peek(MaxRequestLineBytes).split('\n').first();
        const QList<QByteArray> words = line.trimmed().split(' ');
        const QUrl target(words.size() == 3 ? QString::fromLatin1(words.at(1)) : QString());
        if (target.path() == TypedPath || !QUrlQuery(target).queryItemValue(QStringLiteral("token")).isEmpty()) {
            m_webSocketServer->handleConnection(socket);
            return;
        }
        const QByteArray body = "a token is required: ws://host:port/?room=R&token=T\n";
        socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->disconnectFromHost();
    });
}

void NodeServer::acceptWebSocket()
{
    while (QWebSocket *socket = m_webSocketServer->nextPendingConnection()) {
        socket->setMaxAllowedIncomingMessageSize(m_maxMessageBytes);
        socket->setMaxAllowedIncomingFrameSize(m_maxMessageBytes);
        const QUrl url = socket->requestUrl();
        const bool typed = url.path() == TypedPath;
        const QUrlQuery query(url);
        QString room = query.queryItemValue(QStringLiteral("room"), QUrl::FullyDecoded);
        const QByteArray token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
        if (room.isEmpty())
            room = DefaultRoom;
        const QString id = m_node->id() + QLatin1Char('/') + QString::number(m_nextSessionNumber++);
        QTcpSocket *tcp = m_handshaking.take(std::make_pair(socket->peerAddress().toString(), socket->peerPort()));
        auto *session
            = new WebSocketSession(socket, tcp, id, typed ? SessionProtocol::Typed : SessionProtocol::Room, this);
        QString error;
        if (!typed && !Node::isValidRoom(room, &error)) {
            qCInfo(lcTransport).noquote() << "refused" << url.toString() << ":" << error;
            connect(socket, &QWebSocket::disconnected, session, &QObject::deleteLater);
            session->close(int(QWebSocketProtocol::CloseCodePolicyViolated), error);
            continue;
        }
        m_sessions.append(session);
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, session](const QString &text) { m_protocol.textReceived(session, text.toUtf8()); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
                [this, session] { m_protocol.binaryReceived(session); });
        connect(socket, &QWebSocket::disconnected, this, [this, session] { onSessionDisconnected(session); });
        m_protocol.opened(session, typed ? QString() : room, token);
        emit sessionOpened(id);
    }
}

void NodeServer::onSessionDisconnected(WebSocketSession *session)
{
    if (!m_sessions.removeOne(session))
        return;
    m_protocol.closed(session);
    emit sessionClosed(session->id());
    session->deleteLater();
}

}
