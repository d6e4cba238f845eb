#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace fanout {

std::optional<QJsonValue> JsonText::parse(QByteArrayView text, QString *error)
{
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[').append(text).append(']');
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error != QJsonParseError::NoError || document.array().size() != 1) {
        if (error) {
            *error = parseError.error != QJsonParseError::NoError ? QStringLiteral("%1 at offset %2")
                                                                        .arg(parseError.errorString())
                                                                        .arg(std::max(0, parseError.offset - 1))
                                                                  : QStringLiteral("expected exactly one JSON value");
        }
        return std::nullopt;
    }
    return document.array().first();
}

QByteArray JsonText::quote(QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out.append('"');
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default:
            if (byte < 0x20) {
                out.append("\\u00").append(hex[byte >> 4]).append(hex[byte & 0xf]);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
    return out;
}

qint64 JsonText::toInt64(double number)
{
    constexpr double TwoTo63 = 9223372036854775808.0; // exact as a double, unlike INT64_MAX
    if (std::isnan(number))
        return 0;
    if (number >= TwoTo63)
        return std::numeric_limits<qint64>::max();
    if (number < -TwoTo63)
        return std::numeric_limits<qint64>::min();
    return qint64(number);
}

quint64 JsonText::toUInt64(double number)
{
    constexpr double TwoTo64 = 18446744073709551616.0;
    if (!(number > 0))
        return 0;
    if (number >= TwoTo64)
        return std::numeric_limits<quint64>::max();
    return quint64(number);
}

}
