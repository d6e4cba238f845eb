#include "testclient.h"

#include <QJsonDocument>
#include <QSignalSpy>

TestClient::TestClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { m_messages.append(text); });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { ++m_disconnects; });
}

bool TestClient::open(const QUrl &url, int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs);
}

QString TestClient::typedFrame(const char *type, const QString &room, const QString &contentJson)
{
    QString text = QStringLiteral("{\"type\":\"%1\",\"room\":\"%2\"").arg(QLatin1String(type), room);
    if (!contentJson.isNull())
        text += QStringLiteral(",\"content\":") + contentJson;
    return text + QLatin1Char('}');
}

QList<QJsonObject> TestClient::ofType(const QString &type) const
{
    QList<QJsonObject> result;
    for (const QString &text : m_messages) {
        const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
        if (object.value(QLatin1String("type")).toString() == type)
            result.append(object);
    }
    return result;
}
