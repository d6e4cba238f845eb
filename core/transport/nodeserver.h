#pragma once

#include "metrics/edgestats.h"
#include "metrics/nodemetrics.h"
#include "node/clientprotocol.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <vector>

namespace fanout {

class EpollPoller;
class Node;
class TcpListener;
class WireConnection;

/// A WebSocket session of a NodeServer, as the studio's Clients view lists it.
struct SessionInfo {
    QString id;
    QString user; ///< empty while anonymous
    QStringList rooms;
    qint64 queuedBytes = 0; ///< written to it but not yet taken by the kernel
    bool waitingToWrite = false; ///< the kernel's buffer is full: the client reads slowly
};

/// The WebSocket edge of a Node, event-driven: the listener and every connection are raw,
/// non-blocking sockets in one EpollPoller (one descriptor for the Qt loop to poll, one read
/// buffer, one write per socket per loop turn). It reads each client's upgrade request
/// (WebSocketHandshake; 10 s to complete it) and routes the session by path: `/rooms` speaks the
/// typed protocol, any other path the room protocol with `?room=R` (default `lobby`).
/// `?token=T` authenticates either; with a token secret, a room-mode request without one is
/// refused with HTTP 401; `/rooms?batch=N&delay_ms=D` batches a typed connection's deliveries.
/// Sessions are WireConnections. See docs/protocol.md.
class NodeServer : public QObject
{
    Q_OBJECT
public:
    static constexpr quint64 DefaultMaxMessageBytes = 64 * 1024;
    static constexpr int HandshakeTimeoutMs = 10000;
    static inline const QString TypedPath = QStringLiteral("/rooms");
    static inline const QString DefaultRoom = QStringLiteral("lobby");
    static constexpr int MaxBatch = 1000;
    static constexpr int MaxBatchDelayMs = 1000;
    static constexpr int DefaultBatchDelayMs = 10;

    explicit NodeServer(Node *node, QObject *parent = nullptr);
    ~NodeServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const;
    QHostAddress address() const;
    quint16 port() const;
    /// ws://address:port, with 127.0.0.1 for an any-address listener.
    QUrl url() const;

    void setMaxMessageBytes(quint64 bytes) { m_maxMessageBytes = bytes; }
    /// Session ids are `node/first`, `node/first+step`...: the servers of one node's I/O threads
    /// take turns, so ids stay unique in the node.
    void setSessionNumbering(quint64 first, quint64 step)
    {
        m_nextSessionNumber = first;
        m_sessionNumberStep = std::max<quint64>(1, step);
    }
    /// `--allowed-origins`: an upgrade request with an `Origin` header not in the list (compared
    /// without regard to case) is refused with HTTP 403; requests without one (not from a
    /// browser) pass. Empty: any origin.
    void setAllowedOrigins(const QStringList &origins);
    EdgeStats stats() const;
    /// The counters of this server, its protocol and its Node.
    NodeMetrics metrics() const;
    /// Serves a connection accepted elsewhere (ThreadedNodeServer's listener): a non-blocking
    /// descriptor, owned from here on.
    void adopt(int fd);
    qsizetype sessionCount() const { return m_sessions.size(); }
    /// At most `limit` of the open sessions, by id.
    std::vector<SessionInfo> sessions(qsizetype limit) const;
    /// Closes session `id` with `code` and `reason` (the close handshake); false when no open
    /// session has that id.
    bool closeSession(const QString &id, int code, const QString &reason);
    /// The protocol of this node's sessions; the studio's virtual clients speak through it too.
    ClientProtocol &protocol() { return m_protocol; }

    /// Stops accepting and closes every session with 1001 (going away).
    void shutdown();

signals:
    void sessionOpened(const QString &sessionId);
    void sessionClosed(const QString &sessionId);
    /// A descriptor was closed: a listener paused by EMFILE may accept again.
    void descriptorFreed();

private:
    /// A connection still in its opening handshake.
    struct Upgrade {
        QByteArray request;
        qint64 deadlineMs = 0;
    };

    void readUpgrade(int fd);
    /// Answers a handshake that is not accepted, and closes.
    void refuse(int fd, int status, const QByteArray &response);
    /// Completes the handshake with `answer` and opens the session (nullptr when it is refused
    /// at once); `leftover` are frames that came with the request.
    WireConnection *open(int fd, const QUrl &target, const QByteArray &answer, QByteArrayView leftover);
    void dropUpgrade(int fd);
    void expireUpgrades();
    void onFinished(WireConnection *connection);
    void freed();

    Node *m_node;
    ClientProtocol m_protocol;
    EpollPoller *m_poller;
    TcpListener *m_listener;
    QHash<int, Upgrade> m_upgrades;
    QTimer m_upgradeSweep;
    QSet<WireConnection *> m_sessions; ///< opened with the protocol
    quint64 m_maxMessageBytes = DefaultMaxMessageBytes;
    QSet<QByteArray> m_allowedOrigins;
    EdgeStats m_stats;
    quint64 m_nextSessionNumber = 1;
    quint64 m_sessionNumberStep = 1;
};

}
