#include "redisurl.h"

#include <QUrl>

namespace fanout {

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<RedisUrl> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("invalid Redis URL \"%1\": %2").arg(text, url.errorString()));
    const bool tls = url.scheme() == QLatin1String("rediss");
    if (!tls && url.scheme() != QLatin1String("redis"))
        return fail(
            QStringLiteral("invalid Redis URL \"%1\": the scheme must be redis:// or rediss:// (TLS)").arg(text));
    RedisUrl result;
    if (tls) {
        result.tls = true;
        result.tlsSettings = RedisTls::defaults();
    }
    if (!url.host().isEmpty())
        result.host = url.host();
    const int port = url.port(6379);
    if (port <= 0 || port > 65535)
        return fail(QStringLiteral("invalid Redis URL \"%1\": bad port").arg(text));
    result.port = quint16(port);
    result.user = url.userName(QUrl::FullyDecoded);
    result.password = url.password(QUrl::FullyDecoded);
    const QString path = url.path();
    if (!path.isEmpty() && path != QLatin1String("/")) {
        bool ok = false;
        result.db = path.mid(1).toInt(&ok);
        if (!ok || result.db < 0)
            return fail(QStringLiteral("invalid Redis URL \"%1\": the database must be a number, as in /0").arg(text));
    }
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("invalid Redis URL \"%1\": unexpected query or fragment").arg(text));
    return result;
}

QString RedisUrl::toDisplayString() const
{
    QString text = tls ? QStringLiteral("rediss://") : QStringLiteral("redis://");
    if (!user.isEmpty())
        text += user + QLatin1Char('@');
    else if (!password.isEmpty())
        text += QStringLiteral(":***@");
    text += host + QLatin1Char(':') + QString::number(port);
    if (db != 0)
        text += QLatin1Char('/') + QString::number(db);
    return text;
}

}
