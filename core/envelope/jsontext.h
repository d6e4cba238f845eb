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
    /// A JSON number as a whole number, truncated toward zero, saturated at the ends of the range
    /// (0 for NaN; toUInt64: 0 for a negative one). A number a peer sends may be any double, and a
    /// plain cast of one out of range is undefined behaviour.
    static qint64 toInt64(double number);
    static quint64 toUInt64(double number);
};

}
