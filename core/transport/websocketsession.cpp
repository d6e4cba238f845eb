#include "websocketsession.h"

#include "node/delivery.h"

#include <QWebSocket>

namespace fanout {

WebSocketSession::WebSocketSession(QWebSocket *socket, const QString &id,
                                   SessionProtocol protocol, QObject *parent)
    : QObject(parent), Session(id, protocol), m_socket(socket)
{
    m_socket->setParent(this);
}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::deliver(const Delivery &delivery)
{
    m_socket->sendTextMessage(delivery.frame(protocol()));
}

void WebSocketSession::sendText(const QString &frame)
{
    m_socket->sendTextMessage(frame);
}

void WebSocketSession::close(int code, const QString &reason)
{
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

}
