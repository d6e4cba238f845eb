#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QWebSocket>

/// A real QWebSocket client that records every text frame it receives.
class TestClient : public QObject
{
    Q_OBJECT
public:
    explicit TestClient(QObject *parent = nullptr);

    bool open(const QUrl &url, int timeoutMs = 5000);
    void send(const QString &text) { m_socket.sendTextMessage(text); }
    void sendBinary(const QByteArray &data) { m_socket.sendBinaryMessage(data); }
    void close() { m_socket.close(); }

    /// A typed-mode frame: {"type":type,"room":room} with "content" when contentJson is given.
    static QString typedFrame(const char *type, const QString &room, const QString &contentJson = {});

    QStringList messages() const { return m_messages; }
    /// Received frames that are JSON objects with "type" == type.
    QList<QJsonObject> ofType(const QString &type) const;
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    int disconnects() const { return m_disconnects; }
    QWebSocketProtocol::CloseCode closeCode() const { return m_socket.closeCode(); }
    void clear() { m_messages.clear(); }

private:
    QWebSocket m_socket;
    QStringList m_messages;
    int m_disconnects = 0;
};
