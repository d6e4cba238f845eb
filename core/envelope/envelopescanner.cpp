#include "envelopescanner.h"

#include "jsontext.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace fanout {

std::optional<Envelope> EnvelopeScanner::scan()
{
    qsizetype p = skipSpace(0);
    if (p >= m_n || m_s[p] != '{')
        return std::nullopt;
    p = skipSpace(p + 1);
    Envelope envelope;
    bool hasPayload = false;
    if (p < m_n && m_s[p] == '}')
        return std::nullopt;
    while (true) {
        if (p >= m_n || m_s[p] != '"')
            return std::nullopt;
        m_escaped = false;
        const qsizetype keyEnd = string(p);
        if (keyEnd < 0 || m_escaped)
            return std::nullopt;
        const QByteArrayView key(m_s + p + 1, keyEnd - p - 2);
        p = skipSpace(keyEnd);
        if (p >= m_n || m_s[p] != ':')
            return std::nullopt;
        const qsizetype valueStart = skipSpace(p + 1);
        m_escaped = false;
        m_spaced = false;
        const qsizetype valueEnd = value(valueStart, 0);
        if (valueEnd < 0)
            return std::nullopt;
        if (!store(key, QByteArrayView(m_s + valueStart, valueEnd - valueStart), &envelope, &hasPayload))
            return std::nullopt;
        p = skipSpace(valueEnd);
        if (p < m_n && m_s[p] == ',') {
            p = skipSpace(p + 1);
            continue;
        }
        if (p < m_n && m_s[p] == '}')
            break;
        return std::nullopt;
    }
    if (skipSpace(p + 1) != m_n || !hasPayload)
        return std::nullopt;
    return envelope;
}

bool EnvelopeScanner::store(QByteArrayView key, QByteArrayView raw, Envelope *envelope, bool *hasPayload) const
{
    if (key == "payload") {
        if (m_spaced)
            return false;
        envelope->payload = raw.toByteArray();
        *hasPayload = true;
    } else if (key == "origin" || key == "room" || key == "from" || key == "kind" || key == "epoch") {
        if (raw.front() != '"')
            return true;
        if (m_escaped)
            return false;
        const QString text = QString::fromUtf8(raw.sliced(1, raw.size() - 2));
        if (key == "origin")
            envelope->origin = text;
        else if (key == "room")
            envelope->room = text;
        else if (key == "from")
            envelope->from = text;
        else if (key == "epoch")
            envelope->epoch = text;
        else if (text == QLatin1String("event"))
            envelope->kind = Envelope::Kind::Event;
        else if (text == QLatin1String("direct"))
            envelope->kind = Envelope::Kind::Direct;
    } else if (key == "ts" || key == "id" || key == "offset") {
        if (raw.front() == '-' || (raw.front() >= '0' && raw.front() <= '9')) {
            const double number = std::strtod(raw.toByteArray().constData(), nullptr);
            const quint64 count = JsonText::toUInt64(number);
            if (key == "ts")
                envelope->ts = JsonText::toInt64(number);
            else if (key == "id")
                envelope->id = count;
            else
                envelope->offset = count;
        }
    }
    return true;
}

qsizetype EnvelopeScanner::skipSpace(qsizetype p) const
{
    while (p < m_n && isSpace(m_s[p]))
        ++p;
    return p;
}

qsizetype EnvelopeScanner::spaceInside(qsizetype p)
{
    const qsizetype q = skipSpace(p);
    m_spaced |= q != p;
    return q;
}

qsizetype EnvelopeScanner::string(qsizetype p)
{
    for (++p; p < m_n; ++p) {
        const auto c = static_cast<unsigned char>(m_s[p]);
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            m_escaped = true;
            if (++p >= m_n)
                return -1;
            if (m_s[p] == 'u') {
                for (int i = 0; i < 4; ++i) {
                    if (++p >= m_n || !std::isxdigit(static_cast<unsigned char>(m_s[p])))
                        return -1;
                }
            } else if (!std::strchr("\"\\/bfnrt", m_s[p]) || m_s[p] == 0) {
                return -1;
            }
        }
    }
    return -1;
}

qsizetype EnvelopeScanner::digits(qsizetype p) const
{
    const qsizetype start = p;
    while (p < m_n && m_s[p] >= '0' && m_s[p] <= '9')
        ++p;
    return p == start ? -1 : p;
}

qsizetype EnvelopeScanner::number(qsizetype p) const
{
    if (m_s[p] == '-')
        ++p;
    if (p < m_n && m_s[p] == '0')
        ++p;
    else if ((p = digits(p)) < 0)
        return -1;
    if (p < m_n && m_s[p] == '.' && (p = digits(p + 1)) < 0)
        return -1;
    if (p < m_n && (m_s[p] == 'e' || m_s[p] == 'E')) {
        ++p;
        if (p < m_n && (m_s[p] == '+' || m_s[p] == '-'))
            ++p;
        if ((p = digits(p)) < 0)
            return -1;
    }
    return p;
}

qsizetype EnvelopeScanner::literal(qsizetype p, QByteArrayView word) const
{
    return QByteArrayView(m_s + p, std::min(word.size(), m_n - p)) == word ? p + word.size() : -1;
}

qsizetype EnvelopeScanner::value(qsizetype p, int depth)
{
    if (p >= m_n || depth > MaxDepth)
        return -1;
    switch (m_s[p]) {
    case '"':
        return string(p);
    case '{':
    case '[':
        return container(p, depth);
    case 't':
        return literal(p, "true");
    case 'f':
        return literal(p, "false");
    case 'n':
        return literal(p, "null");
    default:
        return (m_s[p] == '-' || (m_s[p] >= '0' && m_s[p] <= '9')) ? number(p) : -1;
    }
}

qsizetype EnvelopeScanner::container(qsizetype p, int depth)
{
    const bool isObject = m_s[p] == '{';
    const char close = isObject ? '}' : ']';
    p = spaceInside(p + 1);
    if (p < m_n && m_s[p] == close)
        return p + 1;
    while (p < m_n) {
        if (isObject) {
            if (m_s[p] != '"' || (p = string(p)) < 0)
                return -1;
            p = spaceInside(p);
            if (p >= m_n || m_s[p] != ':')
                return -1;
            p = spaceInside(p + 1);
        }
        if ((p = value(p, depth + 1)) < 0)
            return -1;
        p = spaceInside(p);
        if (p < m_n && m_s[p] == close)
            return p + 1;
        if (p >= m_n || m_s[p] != ',')
            return -1;
        p = spaceInside(p + 1);
    }
    return -1;
}

}
