#pragma once

#include "redistls.h"

#include <QString>

#include <optional>

namespace fanout {

/// A parsed `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS) address.
struct RedisUrl {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString user;
    QString password;
    int db = 0;
    bool tls = false; ///< rediss://: only ever a verified TLS session, never plaintext
    RedisTls tlsSettings; ///< what verifies the server and identifies this client, when tls

    /// Parses text; on failure returns nothing and sets *error to a message naming the fault.
    static std::optional<RedisUrl> parse(const QString &text, QString *error);
    /// The address with its scheme and without the password, safe to print.
    QString toDisplayString() const;
};

}
