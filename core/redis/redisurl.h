#pragma once

#include <QString>

#include <optional>

namespace fanout {

/// A parsed `redis://[user:password@]host:port[/db]` address.
struct RedisUrl {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString user;
    QString password;
    int db = 0;

    /// Parses text; on failure returns nothing and sets *error to a message naming the fault.
    static std::optional<RedisUrl> parse(const QString &text, QString *error);
    /// The address without the password, safe to print.
    QString toDisplayString() const;
};

}
