#pragma once

#include "session/session.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace fanout {

/// A Session on a real QWebSocket, which it owns.
class WebSocketSession : public QObject, public Session
{
    Q_OBJECT
public:
    /// `tcp` is the connection under `socket`, when known: deliveries are then written to it as
    /// ready-made frames, skipping QWebSocket's per-message UTF-8 conversion and framing.
    WebSocketSession(QWebSocket *socket, QTcpSocket *tcp, const QString &id, SessionProtocol protocol,
                     QObject *parent = nullptr);
    ~WebSocketSession() override;

    /// A client with more than this queued towards it is cut off (close code 1008).
    static constexpr qint64 MaxQueuedBytes = 8 * 1024 * 1024;

    QWebSocket *socket() const { return m_socket; }
    void deliver(const Delivery &delivery) override;
    void sendText(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;

private:
    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp;
    bool m_cutOff = false;
};

}
