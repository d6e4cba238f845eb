#pragma once

#include "redisreply.h"
#include "redisreplyreader.h"
#include "redisurl.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslError>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

class QTcpSocket;

namespace fanout {

class LivenessProbe;
class SentinelResolver;

/// One connection to a redis-server, driven by a QTcpSocket (a QSslSocket for rediss://) on the
/// caller's event loop, parsed by a RedisReplyReader (hiredis's reader, bounded) and encoded with
/// redisFormatCommandArgv.
///
/// After the TCP connect (for a rediss:// URL: after a TLS handshake that verified the server's
/// certificate and name, on a QSslSocket; never plaintext) it authenticates, selects the database
/// (Command mode) and names itself with CLIENT SETNAME, then emits ready(). A lost or refused
/// connection, a failed TLS handshake included, is retried forever with exponential backoff
/// (100 ms doubling, capped at 2000 ms) until close(); each failed attempt emits errorOccurred()
/// and is logged, the same failure at most once per FailureLogIntervalMs. With a probe interval,
/// an idle connection that stops answering is rebuilt (setProbeIntervalMs()). Commands are
/// accepted only while ready: nothing is queued on a dead connection. Every handler runs exactly
/// once; on loss pending handlers get an error reply. Handlers must not delete the connection (use
/// deleteLater()).
///
/// With a sentinel URL (redis+sentinel://, rediss+sentinel://) each attempt first asks a
/// SentinelResolver where the primary is, connects there, and after the handshake checks with
/// ROLE that the server is a primary: one that is not fails the attempt like a refused
/// connection. When the sentinels announce a new primary, a connection to another server is
/// dropped, and one waiting for its backoff tries, at once.
class RedisConnection : public QObject
{
    Q_OBJECT
public:
    enum class Mode {
        Command, ///< request/reply: each reply goes to its command's handler
        Subscriber ///< after the handshake every reply is a push, emitted as pushReceived()
    };
    using ReplyHandler = std::function<void(const RedisReply &reply)>;

    static constexpr int InitialReconnectDelayMs = 100;
    static constexpr int MaxReconnectDelayMs = 2000;
    static constexpr int ConnectTimeoutMs = 2000;
    static constexpr int FailureLogIntervalMs = 30000;
    /// The error reply pending handlers get when the connection is lost (close() included):
    /// Redis may or may not have run the command.
    static inline const QByteArray LostError = "connection lost";

    RedisConnection(const RedisUrl &url, const QString &clientName, Mode mode, QObject *parent = nullptr);
    /// For a sentinel URL, resolver (not owned; it must outlive the connection) finds the primary:
    /// connections to the same URL may share one. nullptr: the connection makes its own.
    RedisConnection(const RedisUrl &url, SentinelResolver *resolver, const QString &clientName, Mode mode,
                    QObject *parent = nullptr);
    ~RedisConnection() override;

    void open();
    void close();
    bool isReady() const { return m_ready; }
    QString clientName() const { return m_clientName; }
    int nextReconnectDelayMs() const { return m_reconnectDelayMs; }
    /// While ready and idle (nothing received for one interval) sends PING, which subscribe mode
    /// answers too; when nothing arrives within two more intervals the connection is closed and
    /// rebuilt like a lost one. 0 (the default) does not probe. Takes effect at once.
    void setProbeIntervalMs(int intervalMs);
    int probeIntervalMs() const { return m_probeIntervalMs; }

    /// Sends a command; returns false, and calls nothing, when the connection is not ready.
    bool send(const QList<QByteArray> &args, ReplyHandler handler = {});

signals:
    void ready();
    /// A ready connection went away; reconnecting has begun.
    void lost();
    void pushReceived(const fanout::RedisReply &reply);
    void errorOccurred(const QString &message);

private:
    void startConnect();
    void connectTo(const RedisUrl::Address &endpoint);
    void useResolver(SentinelResolver *resolver);
    void onPrimaryMoved(const RedisUrl::Address &primary);
    void onConnected();
    /// Why a handshake reply fails the attempt; empty when it does not.
    QString handshakeFault(const QByteArray &command, const RedisReply &reply) const;
    /// The URL, and with sentinels the primary this connection goes to, for messages.
    QString where() const;
    void onReadyRead();
    void onSocketClosed();
    void scheduleReconnect();
    void failConnection(const QString &message);
    /// Emits errorOccurred() and logs, the same message at most once per FailureLogIntervalMs.
    void reportFailure(const QString &message);
    /// Why the socket failed, with the URL and, for TLS, the certificate errors.
    QString socketFailure() const;
    void writeCommand(const QList<QByteArray> &args);
    void dispatch(const RedisReply &reply);
    void sendProbe();
    bool isProbeAnswer(const RedisReply &reply);

    RedisUrl m_url;
    QString m_clientName;
    Mode m_mode;
    QPointer<SentinelResolver> m_resolver; ///< with a sentinel URL
    RedisUrl::Address m_endpoint; ///< where the current attempt goes
    QTcpSocket *m_socket; ///< a QSslSocket for rediss://
    LivenessProbe *m_probe;
    std::unique_ptr<RedisReplyReader> m_reader;
    std::deque<ReplyHandler> m_pending;
    QTimer m_reconnectTimer;
    QTimer m_connectTimeout;
    int m_reconnectDelayMs = InitialReconnectDelayMs;
    int m_handshakeRepliesLeft = 0;
    int m_probeIntervalMs = 0;
    int m_pongsExpected = 0; ///< Subscriber mode: probe answers still to come, not for pushReceived()
    QList<QSslError> m_tlsErrors; ///< of the current attempt
    QString m_lastFailure;
    QElapsedTimer m_lastFailureLogged;
    int m_failuresNotLogged = 0;
    bool m_wanted = false;
    bool m_ready = false;
    bool m_socketActive = false;
    bool m_resolving = false; ///< waiting for the resolver's answer
};

}
