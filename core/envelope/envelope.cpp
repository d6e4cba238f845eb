#include "envelope.h"

#include "jsontext.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace fanout {

QByteArray Envelope::encode() const
{
    QByteArray out;
    out.reserve(payload.size() + origin.size() + room.size() + 96);
    out.append("{\"origin\":").append(JsonText::quote(origin));
    out.append(",\"room\":").append(JsonText::quote(room));
    out.append(",\"payload\":").append(payload);
    out.append(",\"ts\":").append(QByteArray::number(ts));
    if (id != 0)
        out.append(",\"id\":").append(QByteArray::number(id));
    if (kind == Kind::Event)
        out.append(",\"kind\":\"event\"");
    if (!from.isEmpty())
        out.append(",\"from\":").append(JsonText::quote(from));
    out.append('}');
    return out;
}

namespace {

/// A validating scanner for the envelopes on the bus. It reads the common case (no escapes in
/// the envelope's own strings, a compact payload) without building a QJsonDocument; anything
/// else goes to the general decoder.
class EnvelopeScanner
{
public:
    explicit EnvelopeScanner(QByteArrayView text) : m_s(text.data()), m_n(text.size()) {}

    std::optional<Envelope> scan()
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
            const QByteArrayView raw(m_s + valueStart, valueEnd - valueStart);
            if (key == "payload") {
                if (m_spaced)
                    return std::nullopt;
                envelope.payload = raw.toByteArray();
                hasPayload = true;
            } else if (key == "origin" || key == "room" || key == "from" || key == "kind") {
                if (raw.front() == '"') {
                    if (m_escaped)
                        return std::nullopt;
                    const QString text = QString::fromUtf8(raw.sliced(1, raw.size() - 2));
                    if (key == "origin")
                        envelope.origin = text;
                    else if (key == "room")
                        envelope.room = text;
                    else if (key == "from")
                        envelope.from = text;
                    else if (text == QLatin1String("event"))
                        envelope.kind = Envelope::Kind::Event;
                }
            } else if (key == "ts" || key == "id") {
                if (raw.front() == '-' || (raw.front() >= '0' && raw.front() <= '9')) {
                    const double number = std::strtod(raw.toByteArray().constData(), nullptr);
                    if (key == "ts")
                        envelope.ts = qint64(number);
                    else
                        envelope.id = number > 0 ? quint64(number) : 0;
                }
            }
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

private:
    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    qsizetype skipSpace(qsizetype p) const
    {
        while (p < m_n && isSpace(m_s[p]))
            ++p;
        return p;
    }

    qsizetype spaceInside(qsizetype p)
    {
        const qsizetype q = skipSpace(p);
        m_spaced |= q != p;
        return q;
    }

    qsizetype string(qsizetype p)
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

    qsizetype digits(qsizetype p) const
    {
        const qsizetype start = p;
        while (p < m_n && m_s[p] >= '0' && m_s[p] <= '9')
            ++p;
        return p == start ? -1 : p;
    }

    qsizetype number(qsizetype p) const
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

    qsizetype literal(qsizetype p, QByteArrayView word) const
    {
        return QByteArrayView(m_s + p, std::min(word.size(), m_n - p)) == word ? p + word.size() : -1;
    }

    qsizetype value(qsizetype p, int depth)
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

    qsizetype container(qsizetype p, int depth)
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

    static constexpr int MaxDepth = 256;
    const char *m_s;
    qsizetype m_n;
    bool m_escaped = false;
    bool m_spaced = false;
};

}

std::optional<Envelope> Envelope::decode(QByteArrayView raw, QString *error)
{
    // Payload bytes go to browsers in text frames as they are: only valid UTF-8 may skip the
    // general decoder, which rejects the rest.
    if (raw.isValidUtf8()) {
        if (std::optional<Envelope> envelope = EnvelopeScanner(raw).scan())
            return envelope;
    }
    const auto fail = [error](const QString &message) -> std::optional<Envelope> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(raw.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("envelope is not JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("envelope is not a JSON object"));
    const QJsonObject object = document.object();
    const auto payload = object.constFind(QLatin1String("payload"));
    if (payload == object.constEnd())
        return fail(QStringLiteral("envelope has no \"payload\""));

    Envelope envelope;
    envelope.payload = JsonText::compact(payload.value());
    envelope.origin = object.value(QLatin1String("origin")).toString();
    envelope.room = object.value(QLatin1String("room")).toString();
    envelope.ts = qint64(object.value(QLatin1String("ts")).toDouble());
    envelope.id = quint64(object.value(QLatin1String("id")).toDouble());
    envelope.from = object.value(QLatin1String("from")).toString();
    if (object.value(QLatin1String("kind")).toString() == QLatin1String("event"))
        envelope.kind = Kind::Event;
    return envelope;
}

}
