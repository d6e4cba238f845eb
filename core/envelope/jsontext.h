#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QStringView>

#include <optional>

namespace fanout {

/// JSON text helpers for any JSON value, scalars included (QJsonDocument alone takes only
/// objects and arrays).
class JsonText
{
public:
    /// Parses exactly one JSON value; on failure returns nothing and sets *error.
    static std::optional<QJsonValue> parse(QByteArrayView text, QString *error = nullptr);
    /// A JSON string literal, quotes included.
    static QByteArray quote(QStringView text);
};

}
