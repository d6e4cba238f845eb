#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace fanout {

/// JSON text as a node of the seed's Node.js design forwards it: JSON.stringify(JSON.parse(text)).
/// So a payload reads the same byte for byte whichever node of a mixed fleet delivers it:
/// - object members keep their order, except array-index keys ("0", "7", "42"), which come first
///   in ascending order; a repeated key keeps its first place and its last value;
/// - numbers are written as JavaScript writes a double: the shortest text that reads back the
///   same, `1e21` and `1e-7` in exponent form, `100` and `0.000001` without; beyond the double
///   range they become null (Infinity) or 0; -0 is 0;
/// - strings keep every character literally except `"`, `\`, the control characters (short
///   escapes where JSON has them, `\u00xx` otherwise) and lone surrogates (`\udxxx`).
/// The input must be valid UTF-8 (WebSocket text is).
class JsonStringify
{
public:
    static constexpr int MaxDepth = 512;

    /// One JSON value (surrounding whitespace allowed); nothing, with *error, when it is not one.
    static std::optional<QByteArray> value(QByteArrayView text, QString *error = nullptr);
    /// The value of member `key` of the JSON object `text` (its last one, as JSON.parse keeps);
    /// nothing when `text` is not an object or has no such member.
    static std::optional<QByteArray> member(QByteArrayView text, QByteArrayView key, QString *error = nullptr);
    /// A double as JavaScript's Number::toString writes it (null for a non-finite one).
    static QByteArray number(double value);
};

}
