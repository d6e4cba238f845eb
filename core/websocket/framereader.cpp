#include "framereader.h"

#include <QtEndian>

namespace fanout {

namespace {

enum Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xa
};

bool isControl(quint8 opcode)
{
    return opcode >= 0x8;
}

/// Close codes a peer may send (RFC 6455 section 7.4 and the IANA registry); 1005, 1006 and
/// 1015 only describe a closure and never travel in a frame.
bool isSendableCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}

void FrameReader::feed(QByteArrayView data, std::vector<Event> *events)
{
    if (m_finished)
        return;
    if (m_partial.isEmpty()) {
        // The usual case: whole frames in the caller's buffer, parsed where they lie.
        while (!data.isEmpty() && !m_finished) {
            const qsizetype taken = parseFrame(data, events);
            if (taken == 0)
                break;
            data = data.sliced(taken);
        }
        if (!m_finished)
            m_partial = data.toByteArray();
        return;
    }
    m_partial.append(data);
    qsizetype offset = 0;
    while (offset < m_partial.size() && !m_finished) {
        const qsizetype taken = parseFrame(QByteArrayView(m_partial).sliced(offset), events);
        if (taken == 0)
            break;
        offset += taken;
    }
    m_partial.remove(0, offset);
    if (m_finished)
        m_partial.clear();
}

qsizetype FrameReader::parseFrame(QByteArrayView data, std::vector<Event> *events)
{
    if (data.size() < 2)
        return 0;
    const auto failed = [this, events](int code, const QString &reason) {
        fail(code, reason, events);
        return qsizetype(0);
    };
    const auto first = quint8(data.at(0));
    const auto second = quint8(data.at(1));
    const bool final = first & 0x80;
    const quint8 opcode = first & 0x0f;
    if (first & 0x70)
        return failed(1002, QStringLiteral("reserved bits set"));
    if (!(second & 0x80))
        return failed(1002, QStringLiteral("client frames must be masked"));
    if ((opcode > Binary && !isControl(opcode)) || opcode > Pong)
        return failed(1002, QStringLiteral("unknown opcode %1").arg(opcode));
    quint64 length = second & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (data.size() < 4)
            return 0;
        length = qFromBigEndian<quint16>(data.data() + 2);
        header = 4;
    } else if (length == 127) {
        if (data.size() < 10)
            return 0;
        length = qFromBigEndian<quint64>(data.data() + 2);
        header = 10;
        if (length >> 63)
            return failed(1002, QStringLiteral("frame length out of range"));
    }
    if (isControl(opcode) && (!final || length > 125))
        return failed(1002, QStringLiteral("control frames must be final and at most 125 bytes"));
    if (!isControl(opcode) && quint64(m_message.size()) + length > m_maxMessageBytes)
        return failed(1009, QStringLiteral("message too big"));
    const qsizetype total = header + 4 + qsizetype(length);
    if (data.size() < total)
        return 0;
    const char *mask = data.data() + header;
    QByteArray payload(data.data() + header + 4, qsizetype(length));
    char *bytes = payload.data();
    for (qsizetype i = 0; i < payload.size(); ++i)
        bytes[i] ^= mask[i & 3];
    switch (opcode) {
    case Close:
        takeClose(payload, events);
        break;
    case Ping:
        events->push_back({Event::Type::Ping, payload, 0, {}});
        break;
    case Pong:
        events->push_back({Event::Type::Pong, payload, 0, {}});
        break;
    default:
        takeData(opcode, final, std::move(payload), events);
    }
    return total;
}

void FrameReader::takeData(quint8 opcode, bool final, QByteArray payload, std::vector<Event> *events)
{
    if (opcode == Continuation && m_messageOpcode == 0)
        return fail(1002, QStringLiteral("continuation frame without a message"), events);
    if (opcode != Continuation && m_messageOpcode != 0)
        return fail(1002, QStringLiteral("a new message before the last one ended"), events);
    if (opcode != Continuation) {
        m_messageOpcode = opcode;
        m_utf8.reset();
    }
    if (m_messageOpcode == Text && !m_utf8.feed(payload))
        return fail(1007, QStringLiteral("text is not UTF-8"), events);
    if (m_message.isEmpty())
        m_message = std::move(payload);
    else
        m_message.append(payload);
    if (!final)
        return;
    if (m_messageOpcode == Text && !m_utf8.isComplete())
        return fail(1007, QStringLiteral("text is not UTF-8"), events);
    events->push_back(
        {m_messageOpcode == Text ? Event::Type::Text : Event::Type::Binary, std::exchange(m_message, {}), 0, {}});
    m_messageOpcode = 0;
}

void FrameReader::takeClose(const QByteArray &payload, std::vector<Event> *events)
{
    if (payload.size() == 1)
        return fail(1002, QStringLiteral("close frame with a one-byte payload"), events);
    int code = 1005;
    QByteArrayView reason;
    if (payload.size() >= 2) {
        code = qFromBigEndian<quint16>(payload.constData());
        reason = QByteArrayView(payload).sliced(2);
        if (!isSendableCloseCode(code))
            return fail(1002, QStringLiteral("invalid close code %1").arg(code), events);
        if (!Utf8Validator::isValid(reason))
            return fail(1007, QStringLiteral("close reason is not UTF-8"), events);
    }
    m_finished = true;
    events->push_back({Event::Type::Close, {}, code, QString::fromUtf8(reason)});
}

void FrameReader::fail(int code, const QString &reason, std::vector<Event> *events)
{
    m_finished = true;
    events->push_back({Event::Type::Fail, {}, code, reason});
}

}
