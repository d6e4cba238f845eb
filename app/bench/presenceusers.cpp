#include "presenceusers.h"

#include "envelope/jsontext.h"
#include "node/tokenverifier.h"

#include <QJsonObject>
#include <QUrlQuery>
#include <QWebSocket>

namespace {

QString quoted(const QString &text)
{
    return QString::fromUtf8(fanout::JsonText::quote(text));
}

}

PresenceUsers::PresenceUsers(const BenchOptions &options)
    : m_urls(options.urls), m_secret(options.tokenSecret), m_count(options.presenceUsers),
      m_askers(options.presenceAskers * int(options.urls.size()))
{ }

QString PresenceUsers::name(int user)
{
    return QStringLiteral("u%1").arg(user);
}

QByteArray PresenceUsers::token(int user) const
{
    return fanout::TokenVerifier::sign(m_secret, QJsonObject {{"sub", name(user)}});
}

QUrl PresenceUsers::url(int user) const
{
    QUrl url = m_urls.at(user % m_urls.size());
    if (isTyped(user)) {
        url.setPath(QStringLiteral("/rooms"));
        return url;
    }
    url.setPath(QStringLiteral("/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("room"), Room);
    query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(token(user)));
    url.setQuery(query);
    return url;
}

QString PresenceUsers::displayUrl(int user) const
{
    return url(user).toString(QUrl::RemoveQuery);
}

QStringList PresenceUsers::openingFrames(int user) const
{
    const QString credential = m_secret.isEmpty()
        ? QStringLiteral("\"userId\":%1").arg(quoted(name(user)))
        : QStringLiteral("\"token\":%1").arg(quoted(QString::fromLatin1(token(user))));
    return {QStringLiteral("{\"type\":\"auth\",%1}").arg(credential),
            QStringLiteral("{\"type\":\"join\",\"room\":%1}").arg(quoted(Room))};
}

QString PresenceUsers::presenceQuery()
{
    return QStringLiteral("{\"type\":\"presence\",\"room\":%1}").arg(quoted(Room));
}

PresenceUsers::Frame PresenceUsers::kindOf(const QString &frame)
{
    if (frame.startsWith(u"{\"type\":\"presence\",\"room\":"))
        return Frame::Answer;
    if (frame.startsWith(u"{\"type\":\"joined\""))
        return Frame::Joined;
    if (frame.startsWith(u"{\"type\":\"error\""))
        return Frame::Error;
    if (frame.startsWith(u"{\"type\":\"welcome\"") || frame.startsWith(u"{\"type\":\"authenticated\""))
        return Frame::Greeting;
    return Frame::Other;
}

QWebSocket *PresenceUsers::open(int user, QObject *parent, const Handlers &handlers) const
{
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, parent);
    QObject::connect(socket, &QWebSocket::connected, parent, [this, user, socket, connected = handlers.connected] {
        if (isTyped(user)) {
            for (const QString &frame : openingFrames(user))
                socket->sendTextMessage(frame);
        }
        connected();
    });
    QObject::connect(socket, &QWebSocket::textMessageReceived, parent, handlers.received);
    QObject::connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), parent,
                     [this, user, socket, lost = handlers.lost] {
                         lost(QStringLiteral("%1 on %2: %3").arg(name(user), displayUrl(user), socket->errorString()));
                     });
    QObject::connect(socket, &QWebSocket::disconnected, parent, [this, user, socket, lost = handlers.lost] {
        // A refused or cut connection also ends here, before its error: say which.
        const QString cause = socket->error() == QAbstractSocket::UnknownSocketError
            ? QStringLiteral("close code %1 \"%2\"").arg(socket->closeCode()).arg(socket->closeReason())
            : socket->errorString();
        lost(QStringLiteral("%1 on %2 was disconnected: %3").arg(name(user), displayUrl(user), cause));
    });
    socket->open(url(user));
    return socket;
}
