#include "redisurl.h"

#include <QUrl>

namespace fanout {

namespace {

const QLatin1StringView SentinelSchemeSuffix("+sentinel");
const QLatin1StringView ClusterSchemeSuffix("+cluster");
const QLatin1StringView SupportedSchemes("redis://, rediss:// (TLS), redis+sentinel:// or rediss+sentinel://");

/// The scheme of text, lower-cased, as QUrl reads it; empty without "://".
QString schemeOf(const QString &text)
{
    const qsizetype end = text.indexOf(QLatin1String("://"));
    return end < 0 ? QString() : text.left(end).toLower();
}

QString percentDecoded(const QString &text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

/// One `host[:port]` of a sentinel URL's list; the fault when it is not one.
std::optional<RedisUrl::Address> parseSentinelAddress(const QString &text, QString *fault)
{
    const QUrl url(QStringLiteral("redis://") + text, QUrl::StrictMode);
    const int port = url.port(RedisUrl::DefaultSentinelPort);
    if (text.isEmpty() || !url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || !url.path().isEmpty()
        || url.hasQuery() || url.hasFragment() || port <= 0 || port > 65535) {
        *fault = text.isEmpty() ? QStringLiteral("a sentinel address is empty")
                                : QStringLiteral("bad sentinel address \"%1\"").arg(text);
        return std::nullopt;
    }
    return RedisUrl::Address {url.host(), quint16(port)};
}

/// The part of a sentinel URL after "scheme://": credentials, sentinels, master name and database.
std::optional<QString> parseSentinelParts(const QString &rest, RedisUrl *url)
{
    if (rest.contains(QLatin1Char('?')) || rest.contains(QLatin1Char('#')))
        return QStringLiteral("unexpected query or fragment");
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString authority = slash < 0 ? rest : rest.left(slash);
    const QStringList path = slash < 0 ? QStringList() : rest.mid(slash + 1).split(QLatin1Char('/'));
    const qsizetype at = authority.lastIndexOf(QLatin1Char('@'));
    if (at >= 0) {
        const QString userInfo = authority.left(at);
        url->user = percentDecoded(userInfo.section(QLatin1Char(':'), 0, 0));
        url->password = percentDecoded(userInfo.section(QLatin1Char(':'), 1));
    }
    QString fault;
    for (const QString &text : authority.mid(at + 1).split(QLatin1Char(','))) {
        const std::optional<RedisUrl::Address> address = parseSentinelAddress(text, &fault);
        if (!address)
            return fault;
        url->sentinels.append(*address);
    }
    url->masterName = path.isEmpty() ? QString() : percentDecoded(path.first());
    if (url->masterName.isEmpty())
        return QStringLiteral("the master name is missing, as in redis+sentinel://host:26379/mymaster");
    if (url->masterName.contains(QLatin1Char(' ')))
        return QStringLiteral("the master name may not hold a space");
    if (path.size() > 2)
        return QStringLiteral("after the master name only the database may follow, as in /mymaster/0");
    if (path.size() == 2 && !path.last().isEmpty()) {
        bool ok = false;
        url->db = path.last().toInt(&ok);
        if (!ok || url->db < 0)
            return QStringLiteral("the database must be a number, as in /mymaster/0");
    }
    return std::nullopt;
}

std::optional<RedisUrl> parseSentinelUrl(const QString &text, const QString &scheme, QString *error)
{
    RedisUrl result;
    result.tls = scheme.startsWith(QLatin1String("rediss"));
    if (result.tls)
        result.tlsSettings = RedisTls::defaults();
    if (const std::optional<QString> fault = parseSentinelParts(text.mid(scheme.size() + 3), &result)) {
        if (error)
            *error = QStringLiteral("invalid Redis URL \"%1\": %2").arg(text, *fault);
        return std::nullopt;
    }
    return result;
}

}

QString RedisUrl::Address::toString() const
{
    const QString shown = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return shown + QLatin1Char(':') + QString::number(port);
}

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<RedisUrl> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString scheme = schemeOf(text);
    if (scheme == QLatin1String("redis") + SentinelSchemeSuffix
        || scheme == QLatin1String("rediss") + SentinelSchemeSuffix)
        return parseSentinelUrl(text, scheme, error);
    if (scheme == QLatin1String("redis") + ClusterSchemeSuffix
        || scheme == QLatin1String("rediss") + ClusterSchemeSuffix)
        return fail(QStringLiteral("invalid Redis URL \"%1\": Redis Cluster (%2://) is not supported yet; the scheme "
                                   "must be %3")
                        .arg(text, scheme, SupportedSchemes));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("invalid Redis URL \"%1\": %2").arg(text, url.errorString()));
    const bool tls = url.scheme() == QLatin1String("rediss");
    if (!tls && url.scheme() != QLatin1String("redis"))
        return fail(QStringLiteral("invalid Redis URL \"%1\": the scheme must be %2").arg(text, SupportedSchemes));
    RedisUrl result;
    if (tls) {
        result.tls = true;
        result.tlsSettings = RedisTls::defaults();
    }
    if (!url.host().isEmpty())
        result.host = url.host();
    const int port = url.port(DefaultPort);
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
    QString text = tls ? QStringLiteral("rediss") : QStringLiteral("redis");
    if (isSentinel())
        text += SentinelSchemeSuffix;
    text += QLatin1String("://");
    if (!user.isEmpty())
        text += user + QLatin1Char('@');
    else if (!password.isEmpty())
        text += QStringLiteral(":***@");
    if (isSentinel()) {
        QStringList addresses;
        for (const Address &sentinel : sentinels)
            addresses.append(sentinel.toString());
        text += addresses.join(QLatin1Char(',')) + QLatin1Char('/') + masterName;
    } else {
        text += host + QLatin1Char(':') + QString::number(port);
    }
    if (db != 0)
        text += QLatin1Char('/') + QString::number(db);
    return text;
}

}
