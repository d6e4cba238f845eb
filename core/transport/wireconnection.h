#pragma once

#include "epollpoller.h"
#include "session/session.h"
#include "websocket/framereader.h"

#include <QObject>
#include <QTimer>

namespace fanout {

/// A Session on a raw, non-blocking socket after the WebSocket handshake: RFC 6455 frames read
/// with a FrameReader from the poller's shared buffer, and written through the poller's cork, so
/// everything sent to it in one loop turn leaves in one write. Pings are answered, the close
/// handshake is carried out both ways, and a client that does not read is cut off with 1008
/// once MaxQueuedBytes wait for it (never a frame dropped while it stays connected).
///
/// It emits finished() once, queued, when its socket is closed: after the close handshake, the
/// peer's going away, a protocol failure or a write error. Its owner deletes it then.
class WireConnection : public QObject, public Session, private EpollPoller::Flushable
{
    Q_OBJECT
public:
    static constexpr qint64 MaxQueuedBytes = 8 * 1024 * 1024;
    /// How long a close we started waits for the peer's close frame.
    static constexpr int CloseTimeoutMs = 1000;

    /// Takes fd, watched by poller under this connection from now on.
    WireConnection(int fd, EpollPoller *poller, const QString &id, SessionProtocol protocol, quint64 maxMessageBytes,
                   QObject *parent = nullptr);
    ~WireConnection() override;

    void deliver(const Delivery &delivery) override;
    void sendText(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;

    /// Typed mode's opt-in batching (`?batch=N&delay_ms=D`): deliveries are held and sent as
    /// `{"type":"batch","messages":[...]}` frames of at most maxMessages, none held longer than
    /// delayMs. The connection's own frames (acknowledgements, errors) send what is held first.
    void setBatching(int maxMessages, int delayMs);
    /// Queues bytes as they are (the handshake's answer).
    void sendRaw(const QByteArray &bytes) { queue(bytes); }
    /// Parses bytes read before the connection existed (frames behind the handshake).
    void received(QByteArrayView data);
    bool isOpen() const { return m_state == State::Open; }
    qint64 queuedBytes() const { return m_out.size() - m_outStart; }
    /// The kernel's send buffer is full: the peer reads slower than it is sent to.
    bool isWaitingToWrite() const { return m_watchingWrites; }

signals:
    void textReceived(const QByteArray &text);
    void binaryReceived();
    void finished();
    /// The server closes the connection: `code` 1008 for a client too slow to read, or the
    /// code of a frame that broke the protocol (1002, 1007, 1009).
    void closedByServer(int code);

private:
    enum class State {
        Open,
        Closing, ///< our close frame is queued or sent; waiting for the peer's
        Finished
    };

    void onEvents(quint32 events);
    void readAvailable();
    void handle(const FrameReader::Event &event);
    void queue(const QByteArray &bytes);
    void flush() override;
    void watchWrites(bool watch);
    /// Sends a close frame and ends the connection once it is written.
    void closeAfter(const QByteArray &closeFrame);
    void finish();
    void sendBatch();

    int m_fd;
    EpollPoller *m_poller;
    FrameReader m_reader;
    QByteArray m_out;
    qsizetype m_outStart = 0;
    State m_state = State::Open;
    bool m_flushRequested = false;
    bool m_watchingWrites = false;
    bool m_finishWhenFlushed = false;
    QTimer *m_closeTimeout = nullptr;
    int m_batchSize = 0; ///< 0: no batching
    QByteArrayList m_batch;
    QTimer *m_batchTimer = nullptr;
};

}
