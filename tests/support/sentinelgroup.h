#pragma once

#include "redisserver.h"

#include <QTemporaryDir>

#include <array>

/// A primary, one replica of it (--replicaof) and three sentinels that monitor it as "m" (quorum
/// 2, down after 1 s, failover timeout 3 s), each a real redis-server on a free loopback port, for
/// tests of redis+sentinel:// URLs.
class SentinelGroup
{
public:
    static inline const QString MasterName = QStringLiteral("m");
    static constexpr int DownAfterMs = 1000;
    static constexpr int FailoverTimeoutMs = 3000;

    /// Starts the five servers; false with errorString() on failure.
    bool start();
    QString errorString() const { return m_error; }

    RedisServer &primary() { return m_primary; }
    RedisServer &replica() { return m_replica; }
    RedisServer &sentinel(int index) { return m_sentinels.at(size_t(index)); }
    static constexpr int SentinelCount = 3;

    /// redis+sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/master: the given addresses (such
    /// as one nothing listens on) before the group's sentinels.
    QString url(const QString &master = MasterName, const QStringList &before = {}) const;
    /// Whether every sentinel knows the replica and the two other sentinels, and the replica is in
    /// sync: a failover can happen now.
    bool isReadyForFailover();

    /// The configuration lines of a sentinel that monitors name at port with quorum.
    static QStringList monitorConfig(const QString &name, quint16 port, int quorum);

private:
    QTemporaryDir m_replicaDir; ///< where the replica writes the copy it loads
    RedisServer m_primary;
    RedisServer m_replica;
    std::array<RedisServer, SentinelCount> m_sentinels;
    QString m_error;
};
