#pragma once

#include "redisreply.h"
#include "redisurl.h"

#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

class QTcpSocket;
struct redisReader;

namespace fanout {

/// One connection to a redis-server, driven by a QTcpSocket on the caller's event loop and
/// parsed with hiredis's reader (redisReader*) and encoded with redisFormatCommandArgv.
///
/// After the TCP connect it authenticates, selects the database (Command mode) and names itself
/// with CLIENT SETNAME, then emits ready(). A lost or refused connection is retried forever with
/// exponential backoff (100 ms doubling, capped at 2000 ms) until close(). Commands are accepted
/// only while ready: nothing is queued on a dead connection. Every handler runs exactly once; on
/// loss pending handlers get an error reply. Handlers must not delete the connection (use
/// deleteLater()).
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
    /// The error reply pending handlers get when the connection is lost (close() included):
    /// Redis may or may not have run the command.
    static inline const QByteArray LostError = "connection lost";

    RedisConnection(const RedisUrl &url, const QString &clientName, Mode mode, QObject *parent = nullptr);
    ~RedisConnection() override;

    void open();
    void close();
    bool isReady() const { return m_ready; }
    QString clientName() const { return m_clientName; }
    int nextReconnectDelayMs() const { return m_reconnectDelayMs; }

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
    void onConnected();
    void onReadyRead();
    void onSocketClosed();
    void scheduleReconnect();
    void failConnection(const QString &message);
    void writeCommand(const QList<QByteArray> &args);
    void dispatch(const RedisReply &reply);

    RedisUrl m_url;
    QString m_clientName;
    Mode m_mode;
    QTcpSocket *m_socket;
    redisReader *m_reader = nullptr;
    std::deque<ReplyHandler> m_pending;
    QTimer m_reconnectTimer;
    QTimer m_connectTimeout;
    int m_reconnectDelayMs = InitialReconnectDelayMs;
    int m_handshakeRepliesLeft = 0;
    bool m_wanted = false;
    bool m_ready = false;
    bool m_socketActive = false;
};

}
