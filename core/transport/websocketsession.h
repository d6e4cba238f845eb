#pragma once

#include "session/session.h"

#include <QObject>

class QWebSocket;

namespace fanout {

/// A Session on a real QWebSocket, which it owns.
class WebSocketSession : public QObject, public Session
{
    Q_OBJECT
public:
    WebSocketSession(QWebSocket *socket, const QString &id, SessionProtocol protocol,
                     QObject *parent = nullptr);
    ~WebSocketSession() override;

    QWebSocket *socket() const { return m_socket; }
    void deliver(const Delivery &delivery) override;
    void sendText(const QString &frame) override;
    void close(int code, const QString &reason) override;

private:
    QWebSocket *m_socket;
};

}
