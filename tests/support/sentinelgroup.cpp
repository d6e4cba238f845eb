#include "sentinelgroup.h"

#include "redisclient.h"

namespace {

/// A field of a flat [field, value, ...] reply, such as SENTINEL MASTER's.
QByteArray fieldOf(const fanout::RedisReply &reply, const QByteArray &field)
{
    for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
        if (reply.elements.at(i).string == field)
            return reply.elements.at(i + 1).string;
    }
    return {};
}

}

bool SentinelGroup::start()
{
    if (!m_primary.start()) {
        m_error = m_primary.errorString();
        return false;
    }
    const QStringList replicaOf {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"),
                                 QString::number(m_primary.port()), QStringLiteral("--dir"), m_replicaDir.path()};
    if (!m_replica.start(0, replicaOf)) {
        m_error = m_replica.errorString();
        return false;
    }
    for (RedisServer &sentinel : m_sentinels) {
        if (!sentinel.startSentinel(monitorConfig(MasterName, m_primary.port(), 2))) {
            m_error = sentinel.errorString();
            return false;
        }
    }
    return true;
}

QStringList SentinelGroup::monitorConfig(const QString &name, quint16 port, int quorum)
{
    return {QStringLiteral("sentinel resolve-hostnames no"),
            QStringLiteral("sentinel monitor %1 127.0.0.1 %2 %3").arg(name).arg(port).arg(quorum),
            QStringLiteral("sentinel down-after-milliseconds %1 %2").arg(name).arg(DownAfterMs),
            QStringLiteral("sentinel failover-timeout %1 %2").arg(name).arg(FailoverTimeoutMs)};
}

QString SentinelGroup::url(const QString &master, const QStringList &before) const
{
    QStringList addresses = before;
    for (const RedisServer &sentinel : m_sentinels)
        addresses.append(QStringLiteral("127.0.0.1:%1").arg(sentinel.port()));
    return QStringLiteral("redis+sentinel://%1/%2").arg(addresses.join(QLatin1Char(',')), master);
}

bool SentinelGroup::isReadyForFailover()
{
    RedisClient replica(m_replica.url());
    const fanout::RedisReply role = replica.command({"ROLE"});
    if (role.elements.size() < 4 || role.elements.at(3).string != "connected")
        return false;
    for (const RedisServer &sentinel : m_sentinels) {
        RedisClient client(sentinel.url());
        const fanout::RedisReply master = client.command({"SENTINEL", "MASTER", MasterName.toUtf8()});
        if (fieldOf(master, "num-slaves") != "1" || fieldOf(master, "num-other-sentinels") != "2")
            return false;
    }
    return true;
}
