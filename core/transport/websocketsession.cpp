#include "websocketsession.h"

#include "node/delivery.h"

#include <QTcpSocket>

#include <QWebSocket>
#include <sys/socket.h>

namespace fanout {

WebSocketSession::WebSocketSession(QWebSocket *socket, QTcpSocket *tcp, const QString &id, SessionProtocol protocol,
                                   QObject *parent)
    : QObject(parent), Session(id, protocol), m_socket(socket), m_tcp(tcp)
{
    m_socket->setParent(this);
}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::deliver(const Delivery &delivery)
{
    const qint64 queued = m_tcp ? m_tcp->bytesToWrite() : m_socket->bytesToWrite();
    if (queued > MaxQueuedBytes) {
        // A client that stopped reading: cut it off rather than buffer without end. Queued,
        // because closing now would change the room the Node is iterating.
        if (!m_cutOff) {
            m_cutOff = true;
            QMetaObject::invokeMethod(
                m_socket,
                [socket = m_socket] {
                    socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                                  QStringLiteral("too slow: send queue full"));
                    socket->abort();
                },
                Qt::QueuedConnection);
        }
        return;
    }
    if (m_tcp && m_socket->state() == QAbstractSocket::ConnectedState) {
        // QWebSocket writes whole frames straight to this device, so ours never interleave
        // with its control frames. When nothing is queued in Qt's buffer the frame goes to the
        // kernel at once: QTcpSocket::write would post a flush event (a wake-up write) and then
        // write, two syscalls per delivery instead of one.
        const QByteArray &frame = delivery.wireFrame(protocol());
        qint64 sent = 0;
        if (m_tcp->bytesToWrite() == 0) {
            const ssize_t written = ::send(int(m_tcp->socketDescriptor()), frame.constData(), size_t(frame.size()),
                                           MSG_NOSIGNAL | MSG_DONTWAIT);
            sent = written > 0 ? written : 0;
        }
        if (sent < frame.size())
            m_tcp->write(frame.constData() + sent, frame.size() - sent);
        return;
    }
    m_socket->sendTextMessage(QString::fromUtf8(delivery.frame(protocol())));
}

void WebSocketSession::sendText(const QByteArray &frame)
{
    m_socket->sendTextMessage(QString::fromUtf8(frame));
}

void WebSocketSession::close(int code, const QString &reason)
{
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

}
