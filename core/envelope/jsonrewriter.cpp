#include "jsonrewriter.h"

#include "jsonstringify.h"

#include <charconv>
#include <cmath>

namespace fanout {

bool JsonRewriter::document(QByteArray &out)
{
    if (!value(out, 0))
        return false;
    skipSpace();
    return m_at == m_end || fail("unexpected text after the value");
}

bool JsonRewriter::fail(const char *what)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1 at offset %2").arg(QLatin1String(what)).arg(m_at - m_begin);
    return false;
}

void JsonRewriter::skipSpace()
{
    while (m_at != m_end && (*m_at == ' ' || *m_at == '\t' || *m_at == '\n' || *m_at == '\r'))
        ++m_at;
}

bool JsonRewriter::literal(QByteArrayView word, QByteArray &out)
{
    if (QByteArrayView(m_at, m_end - m_at).startsWith(word)) {
        m_at += word.size();
        out.append(word);
        return true;
    }
    return fail("invalid literal");
}

bool JsonRewriter::value(QByteArray &out, int depth)
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
        JsonWriter::appendString(out, text);
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

bool JsonRewriter::digits()
{
    const char *start = m_at;
    while (m_at != m_end && *m_at >= '0' && *m_at <= '9')
        ++m_at;
    return m_at != start;
}

bool JsonRewriter::number(QByteArray &out)
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
    out.append(JsonWriter::number(parsed));
    return true;
}

bool JsonRewriter::hex4(char16_t *unit)
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

bool JsonRewriter::string(QString &text)
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

bool JsonRewriter::array(QByteArray &out, int depth)
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

bool JsonRewriter::object(QByteArray &out, int depth)
{
    ++m_at;
    QList<JsonWriter::Member> members;
    QHash<QString, qsizetype> places;
    skipSpace();
    if (m_at != m_end && *m_at == '}')
        ++m_at;
    else if (!objectMembers(members, places, depth))
        return false;
    JsonWriter::appendObject(out, members);
    return true;
}

bool JsonRewriter::objectMembers(QList<JsonWriter::Member> &members, QHash<QString, qsizetype> &places, int depth)
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

}
