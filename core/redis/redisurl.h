#pragma once

#include "redistls.h"

#include <QList>
#include <QString>

#include <optional>

namespace fanout {

/// A parsed Redis address: one server, `redis://[user:password@]host:port[/db]` or `rediss://...`
/// (TLS); or a primary found through Sentinel,
/// `redis+sentinel://[user:password@]host:port[,host:port...]/master[/db]` or
/// `rediss+sentinel://...` (TLS to the sentinels and to the primary); or a Redis Cluster,
/// `redis+cluster://[user:password@]host:port[,host:port...]` or `rediss+cluster://...`, whose
/// listed nodes are the seeds the slot map is first asked from.
struct RedisUrl {
    /// One server's host and port.
    struct Address {
        QString host;
        quint16 port = 0;

        /// host:port, an IPv6 host in brackets.
        QString toString() const;
        bool operator==(const Address &other) const = default;
    };

    static constexpr quint16 DefaultPort = 6379;
    static constexpr quint16 DefaultSentinelPort = 26379;

    QString host = QStringLiteral("127.0.0.1"); ///< the server; unused with sentinels
    quint16 port = DefaultPort;
    QString user; ///< of the data nodes (with sentinels: of the primary)
    QString password;
    int db = 0;
    bool tls = false; ///< rediss://: only ever a verified TLS session, never plaintext
    RedisTls tlsSettings; ///< what verifies the server and identifies this client, when tls
    QList<Address> sentinels; ///< redis+sentinel://: the sentinels, in the order they are asked
    QString masterName; ///< redis+sentinel://: the name the sentinels monitor the primary under
    QList<Address> clusterNodes; ///< redis+cluster://: the seed nodes, in the order they are asked

    /// Whether the primary is found through sentinels (redis+sentinel://, rediss+sentinel://).
    bool isSentinel() const { return !sentinels.isEmpty(); }
    /// Whether this names a Redis Cluster (redis+cluster://, rediss+cluster://).
    bool isCluster() const { return !clusterNodes.isEmpty(); }
    /// The same credentials and TLS settings, for the one server at address (a cluster's node).
    RedisUrl atAddress(const Address &address) const;

    /// Parses text; on failure returns nothing and sets *error to a message naming the fault.
    static std::optional<RedisUrl> parse(const QString &text, QString *error);
    /// The address with its scheme and without the password, safe to print.
    QString toDisplayString() const;
};

}
