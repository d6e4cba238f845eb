#pragma once

#include "node/clientprotocol.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;

namespace fanout {

class Node;
class WebSocketSession;

/// The WebSocket edge of a Node. Accepts TCP connections itself so every socket gets
/// TCP_NODELAY, hands them to a QWebSocketServer for the handshake, and routes each session
/// by path: `/rooms` speaks the typed protocol, any other path the room protocol with
/// `?room=R` (default `lobby`). `?token=T` authenticates either; with a token secret, a
/// room-mode request without one is refused with HTTP 401. See docs/protocol.md.
class NodeServer : public QObject
{
    Q_OBJECT
public:
    static constexpr quint64 DefaultMaxMessageBytes = 64 * 1024;
    static constexpr int HandshakeTimeoutMs = 10000;
    /// A request line longer than this is not an HTTP request we serve.
    static constexpr qint64 MaxRequestLineBytes = 8192;
    static inline const QString TypedPath = QStringLiteral("/rooms");
    static inline const QString DefaultRoom = QStringLiteral("lobby");

    explicit NodeServer(Node *node, QObject *parent = nullptr);
    ~NodeServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const;
    QHostAddress address() const;
    quint16 port() const;
    /// ws://address:port, with 127.0.0.1 for an any-address listener.
    QUrl url() const;

    void setMaxMessageBytes(quint64 bytes) { m_maxMessageBytes = bytes; }
    qsizetype sessionCount() const { return m_sessions.size(); }
    /// The protocol of this node's sessions; the studio's virtual clients speak through it too.
    ClientProtocol &protocol() { return m_protocol; }

    /// Stops accepting and closes every session with 1001 (going away).
    void shutdown();

signals:
    void sessionOpened(const QString &sessionId);
    void sessionClosed(const QString &sessionId);

private:
    void acceptTcp();
    void screenRequest(QTcpSocket *socket);
    void acceptWebSocket();
    void onSessionDisconnected(WebSocketSession *session);

    Node *m_node;
    ClientProtocol m_protocol;
    QTcpServer *m_tcpServer;
    QWebSocketServer *m_webSocketServer;
    QList<WebSocketSession *> m_sessions;
    QHash<std::pair<QString, quint16>, QTcpSocket *> m_handshaking; ///< by peer, until the upgrade
    quint64 m_maxMessageBytes = DefaultMaxMessageBytes;
    quint64 m_nextSessionNumber = 1;
};

}
