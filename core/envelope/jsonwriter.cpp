#include "jsonwriter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace fanout {

namespace {

/// "0", "7", "42"...: a key JavaScript treats as an array index (below 2^32 - 1).
std::optional<quint32> arrayIndex(const QString &key)
{
    if (key.isEmpty() || key.size() > 10 || (key.size() > 1 && key.front() == u'0'))
        return std::nullopt;
    quint64 index = 0;
    for (const QChar c : key) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        index = index * 10 + quint64(c.unicode() - u'0');
    }
    return index < 0xFFFFFFFFull ? std::optional<quint32>(quint32(index)) : std::nullopt;
}

const char *shortEscape(char16_t c)
{
    switch (c) {
    case u'"':
        return "\\\"";
    case u'\\':
        return "\\\\";
    case u'\b':
        return "\\b";
    case u'\f':
        return "\\f";
    case u'\n':
        return "\\n";
    case u'\r':
        return "\\r";
    case u'\t':
        return "\\t";
    default:
        return nullptr;
    }
}

}

void JsonWriter::appendString(QByteArray &out, const QString &text)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.append('"');
    qsizetype plain = 0; // start of the run of characters written as they are
    const auto flush = [&](qsizetype upTo) {
        if (upTo > plain)
            out.append(QStringView(text).sliced(plain, upTo - plain).toUtf8());
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        const bool pair
            = QChar::isHighSurrogate(c) && i + 1 < text.size() && QChar::isLowSurrogate(text.at(i + 1).unicode());
        if (pair) {
            ++i;
            continue;
        }
        const char *escape = shortEscape(c);
        if (!escape && c >= 0x20 && !QChar::isSurrogate(c))
            continue;
        flush(i);
        plain = i + 1;
        if (escape) {
            out.append(escape);
        } else {
            out.append("\\u")
                .append(hex[c >> 12])
                .append(hex[(c >> 8) & 0xf])
                .append(hex[(c >> 4) & 0xf])
                .append(hex[c & 0xf]);
        }
    }
    flush(text.size());
    out.append('"');
}

void JsonWriter::appendObject(QByteArray &out, const QList<Member> &members)
{
    QList<std::pair<quint32, qsizetype>> indexed;
    for (qsizetype i = 0; i < members.size(); ++i) {
        if (const std::optional<quint32> index = arrayIndex(members.at(i).key))
            indexed.append({*index, i});
    }
    std::sort(indexed.begin(), indexed.end());
    out.append('{');
    bool first = true;
    const auto write = [&](const Member &member) {
        if (!std::exchange(first, false))
            out.append(',');
        appendString(out, member.key);
        out.append(':').append(member.value);
    };
    for (const auto &[index, place] : std::as_const(indexed))
        write(members.at(place));
    for (const Member &member : members) {
        if (!arrayIndex(member.key))
            write(member);
    }
    out.append('}');
}

QByteArray JsonWriter::number(double value)
{
    if (!std::isfinite(value))
        return QByteArrayLiteral("null");
    if (value == 0)
        return QByteArrayLiteral("0");
    QByteArray out;
    if (value < 0) {
        out.append('-');
        value = -value;
    }
    // The shortest digits that read back as the same double, d.ddde±x; then ECMAScript's
    // Number::toString layout for k digits and the decimal point after n of them.
    char scientific[32];
    const auto written
        = std::to_chars(std::begin(scientific), std::end(scientific), value, std::chars_format::scientific);
    const std::string_view text(scientific, written.ptr - scientific);
    const std::size_t e = text.find('e');
    std::string digits(1, text.front());
    if (e > 1)
        digits.append(text.substr(2, e - 2));
    const int exponent = std::stoi(std::string(text.substr(e + 1)));
    const int k = int(digits.size());
    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out.append(digits.data(), k).append(QByteArray(n - k, '0'));
    } else if (0 < n && n <= 21) {
        out.append(digits.data(), n).append('.').append(digits.data() + n, k - n);
    } else if (-6 < n && n <= 0) {
        out.append("0.").append(QByteArray(-n, '0')).append(digits.data(), k);
    } else {
        out.append(digits.front());
        if (k > 1)
            out.append('.').append(digits.data() + 1, k - 1);
        out.append('e').append(n - 1 < 0 ? '-' : '+').append(QByteArray::number(std::abs(n - 1)));
    }
    return out;
}

}
