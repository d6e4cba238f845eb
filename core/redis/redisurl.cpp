#include "redisurl.h"

#include <QUrl>

namespace fanout {

namespace {

const QLatin1StringView SentinelSchemeSuffix("+sentinel");
const QLatin1StringView ClusterSchemeSuffix("+cluster");
const QLatin1StringView SupportedSchemes(
    "redis://, rediss:// (TLS), redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://");

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

/// One `host[:port]` of a sentinel or cluster URL's list (`what` names it in the fault).
std::optional<RedisUrl::Address> parseListedAddress(const QString &text, quint16 defaultPort, const QString &what,
                                                    QString *fault)
{
    const QUrl url(QStringLiteral("redis://") + text, QUrl::StrictMode);
    const int port = url.port(defaultPort);
    if (text.isEmpty() || !url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || !url.path().isEmpty()
        || url.hasQuery() || url.hasFragment() || port <= 0 || port > 65535) {
        *fault = text.isEmpty() ? QStringLiteral("a %1 address is empty").arg(what)
                                : QStringLiteral("bad %1 address \"%2\"").arg(what, text);
        return std::nullopt;
    }
    return RedisUrl::Address {url.host(), quint16(port)};
}

/// `[user:password@]host:port[,host:port...]`: the credentials go to url, the addresses to list.
std::optional<QString> parseAuthority(const QString &authority, quint16 defaultPort, const QString &what, RedisUrl *url,
                                      QList<RedisUrl::Address> *list)
{
    const qsizetype at = authority.lastIndexOf(QLatin1Char('@'));
    if (at >= 0) {
        const QString userInfo = authority.left(at);
        url->user = percentDecoded(userInfo.section(QLatin1Char(':'), 0, 0));
        url->password = percentDecoded(userInfo.section(QLatin1Char(':'), 1));
    }
    QString fault;
    for (const QString &text : authority.mid(at + 1).split(QLatin1Char(','))) {
        const std::optional<RedisUrl::Address> address = parseListedAddress(text, defaultPort, what, &fault);
        if (!address)
            return fault;
        list->append(*address);
    }
    return std::nullopt;
}

/// The part of a sentinel URL after "scheme://": credentials, sentinels, master name and database.
std::optional<QString> parseSentinelParts(const QString &rest, RedisUrl *url)
{
    if (rest.contains(QLatin1Char('?')) || rest.contains(QLatin1Char('#')))
        return QStringLiteral("unexpected query or fragment");
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString authority = slash < 0 ? rest : rest.left(slash);
    const QStringList path = slash < 0 ? QStringList() : rest.mid(slash + 1).split(QLatin1Char('/'));
    if (std::optional<QString> fault
        = parseAuthority(authority, RedisUrl::DefaultSentinelPort, QStringLiteral("sentinel"), url, &url->sentinels))
        return fault;
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

/// The part of a cluster URL after "scheme://": credentials and seed nodes; no database, as a
/// Cluster has only database 0.
std::optional<QString> parseClusterParts(const QString &rest, RedisUrl *url)
{
    if (rest.contains(QLatin1Char('?')) || rest.contains(QLatin1Char('#')))
        return QStringLiteral("unexpected query or fragment");
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString path = slash < 0 ? QString() : rest.mid(slash + 1);
    if (!path.isEmpty() && path != QLatin1String("0"))
        return QStringLiteral("a Redis Cluster has database 0 only");
    return parseAuthority(slash < 0 ? rest : rest.left(slash), RedisUrl::DefaultPort, QStringLiteral("cluster node"),
                          url, &url->clusterNodes);
}

/// A sentinel or cluster URL, whose authority lists several servers.
std::optional<RedisUrl> parseListUrl(const QString &text, const QString &scheme, QString *error)
{
    RedisUrl result;
    result.tls = scheme.startsWith(QLatin1String("rediss"));
    if (result.tls)
        result.tlsSettings = RedisTls::defaults();
    const QString rest = text.mid(scheme.size() + 3);
    const std::optional<QString> fault
        = scheme.endsWith(ClusterSchemeSuffix) ? parseClusterParts(rest, &result) : parseSentinelParts(rest, &result);
    if (fault) {
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
    for (const QLatin1StringView suffix : {SentinelSchemeSuffix, ClusterSchemeSuffix}) {
        if (scheme == QLatin1String("redis") + suffix || scheme == QLatin1String("rediss") + suffix)
            return parseListUrl(text, scheme, error);
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("invalid Redis URL \"%1\": not of the form scheme://[user:password@]host:port[/db] "
                                   "(a password holding @, : or / must be percent-encoded)")
                        .arg(text));
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

RedisUrl RedisUrl::atAddress(const Address &address) const
{
    RedisUrl server = *this;
    server.host = address.host;
    server.port = address.port;
    server.sentinels.clear();
    server.masterName.clear();
    server.clusterNodes.clear();
    return server;
}

QString RedisUrl::toDisplayString() const
{
    QString text = tls ? QStringLiteral("rediss") : QStringLiteral("redis");
    if (isSentinel())
        text += SentinelSchemeSuffix;
    else if (isCluster())
        text += ClusterSchemeSuffix;
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
    } else if (isCluster()) {
        QStringList addresses;
        for (const Address &node : clusterNodes)
            addresses.append(node.toString());
        text += addresses.join(QLatin1Char(','));
    } else {
        text += host + QLatin1Char(':') + QString::number(port);
    }
    if (db != 0)
        text += QLatin1Char('/') + QString::number(db);
    return text;
}

}
