#include "jsonstringify.h"

#include <QHash>
#include <QList>

#include <algorithm>
#include <charconv>
#include <cmath>
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

void appendString(QByteArray &out, const QString &text)
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

class Parser
{
public:
    explicit Parser(QByteArrayView text) : m_begin(text.data()), m_at(text.data()), m_end(text.data() + text.size()) { }

    /// The whole text as one value.
    bool document(QByteArray &out)
    {
        if (!value(out, 0))
            return false;
        skipSpace();
        return m_at == m_end || fail("unexpected text after the value");
    }

    QString error() const { return m_error; }
    /// Member `key` of the outermost object, captured while parsing.
    void capture(const QString &key) { m_wanted = key; }
    std::optional<QByteArray> captured() const { return m_captured; }

private:
    bool fail(const char *what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1 at offset %2").arg(QLatin1String(what)).arg(m_at - m_begin);
        return false;
    }
    void skipSpace()
    {
        while (m_at != m_end && (*m_at == ' ' || *m_at == '\t' || *m_at == '\n' || *m_at == '\r'))
            ++m_at;
    }
    bool literal(QByteArrayView word, QByteArray &out)
    {
        if (QByteArrayView(m_at, m_end - m_at).startsWith(word)) {
            m_at += word.size();
            out.append(word);
            return true;
        }
        return fail("invalid literal");
    }

    bool value(QByteArray &out, int depth)
    {
        if (depth > JsonStringify::MaxDepth)
            return fail("too deeply nested");
        skipSpace();
        if (m_at == m_end)
            return fail("unexpected end of the text");
        switch (*m_at) {
        case '{':
            return object(out, depth);
        case '[':
            return array(out, depth);
        case '"': {
            QString text;
            if (!string(text))
                return false;
            appendString(out, text);
            return true;
        }
        case 't':
            return literal("true", out);
        case 'f':
            return literal("false", out);
        case 'n':
            return literal("null", out);
        default:
            return number(out);
        }
    }

    bool digits()
    {
        const char *start = m_at;
        while (m_at != m_end && *m_at >= '0' && *m_at <= '9')
            ++m_at;
        return m_at != start;
    }

    bool number(QByteArray &out)
    {
        const char *start = m_at;
        if (m_at != m_end && *m_at == '-')
            ++m_at;
        if (m_at != m_end && *m_at == '0')
            ++m_at;
        else if (m_at == m_end || *m_at < '1' || *m_at > '9' || !digits())
            return fail("invalid value");
        if (m_at != m_end && *m_at == '.' && (++m_at, !digits()))
            return fail("invalid number");
        bool negativeExponent = false;
        if (m_at != m_end && (*m_at == 'e' || *m_at == 'E')) {
            ++m_at;
            if (m_at != m_end && (*m_at == '+' || *m_at == '-'))
                negativeExponent = *m_at++ == '-';
            if (!digits())
                return fail("invalid number");
        }
        double parsed = 0;
        const auto [end, ec] = std::from_chars(start, m_at, parsed);
        if (ec == std::errc::result_out_of_range) {
            // JSON.parse gives Infinity (written null) past the double range, and 0 below it.
            const bool tiny = negativeExponent || (end == m_at && start[*start == '-'] == '0');
            parsed = tiny ? 0.0 : HUGE_VAL;
        }
        out.append(JsonStringify::number(parsed));
        return true;
    }

    bool hex4(char16_t *unit)
    {
        if (m_end - m_at < 4)
            return fail("invalid escape");
        *unit = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *m_at++;
            const int digit = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f'             ? c - 'a' + 10
                : c >= 'A' && c <= 'F'             ? c - 'A' + 10
                                                   : -1;
            if (digit < 0)
                return fail("invalid escape");
            *unit = char16_t(*unit * 16 + digit);
        }
        return true;
    }

    bool string(QString &text)
    {
        ++m_at; // the opening quote
        const char *run = m_at;
        const auto flush = [&] { text.append(QString::fromUtf8(run, m_at - run)); };
        while (m_at != m_end) {
            const char c = *m_at;
            if (c == '"') {
                flush();
                ++m_at;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in a string");
            if (c != '\\') {
                ++m_at;
                continue;
            }
            flush();
            if (++m_at == m_end)
                break;
            const char escape = *m_at++;
            char16_t unit = 0;
            switch (escape) {
            case '"':
            case '\\':
            case '/':
                unit = char16_t(escape);
                break;
            case 'b':
                unit = u'\b';
                break;
            case 'f':
                unit = u'\f';
                break;
            case 'n':
                unit = u'\n';
                break;
            case 'r':
                unit = u'\r';
                break;
            case 't':
                unit = u'\t';
                break;
            case 'u':
                if (!hex4(&unit))
                    return false;
                break;
            default:
                return fail("invalid escape");
            }
            text.append(QChar(unit));
            run = m_at;
        }
        return fail("unterminated string");
    }

    bool array(QByteArray &out, int depth)
    {
        ++m_at;
        out.append('[');
        skipSpace();
        if (m_at != m_end && *m_at == ']') {
            ++m_at;
            out.append(']');
            return true;
        }
        for (;;) {
            if (!value(out, depth + 1))
                return false;
            skipSpace();
            if (m_at == m_end)
                return fail("unterminated array");
            const char c = *m_at++;
            if (c == ']')
                break;
            if (c != ',')
                return fail("expected , or ]");
            out.append(',');
        }
        out.append(']');
        return true;
    }

    struct Member {
        QString key;
        QByteArray value;
    };

    bool object(QByteArray &out, int depth)
    {
        ++m_at;
        QList<Member> members;
        QHash<QString, qsizetype> places;
        skipSpace();
        if (m_at != m_end && *m_at == '}')
            ++m_at;
        else if (!objectMembers(members, places, depth))
            return false;
        writeObject(out, members);
        return true;
    }

    bool objectMembers(QList<Member> &members, QHash<QString, qsizetype> &places, int depth)
    {
        for (;;) {
            skipSpace();
            if (m_at == m_end || *m_at != '"')
                return fail("expected a member name");
            QString key;
            if (!string(key))
                return false;
            skipSpace();
            if (m_at == m_end || *m_at++ != ':')
                return fail("expected :");
            QByteArray value;
            if (!this->value(value, depth + 1))
                return false;
            if (depth == 0 && m_wanted && key == *m_wanted)
                m_captured = value;
            const auto place = places.constFind(key);
            if (place == places.cend()) {
                places.insert(key, members.size());
                members.append({key, std::move(value)});
            } else {
                members[*place].value = std::move(value);
            }
            skipSpace();
            if (m_at == m_end)
                return fail("unterminated object");
            const char c = *m_at++;
            if (c == '}')
                return true;
            if (c != ',')
                return fail("expected , or }");
        }
    }

    static void writeObject(QByteArray &out, const QList<Member> &members)
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

    const char *m_begin;
    const char *m_at;
    const char *m_end;
    QString m_error;
    std::optional<QString> m_wanted;
    std::optional<QByteArray> m_captured;
};

}

std::optional<QByteArray> JsonStringify::value(QByteArrayView text, QString *error)
{
    if (!text.isValidUtf8()) {
        if (error)
            *error = QStringLiteral("not UTF-8");
        return std::nullopt;
    }
    Parser parser(text);
    QByteArray out;
    if (!parser.document(out)) {
        if (error)
            *error = parser.error();
        return std::nullopt;
    }
    return out;
}

std::optional<QByteArray> JsonStringify::member(QByteArrayView text, QByteArrayView key, QString *error)
{
    if (!text.isValidUtf8()) {
        if (error)
            *error = QStringLiteral("not UTF-8");
        return std::nullopt;
    }
    Parser parser(text);
    parser.capture(QString::fromUtf8(key));
    QByteArray out;
    if (!parser.document(out)) {
        if (error)
            *error = parser.error();
        return std::nullopt;
    }
    return parser.captured();
}

QByteArray JsonStringify::number(double value)
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
