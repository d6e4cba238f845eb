#include "delivery.h"

#include "envelope/jsontext.h"

namespace fanout {

const QByteArray &Delivery::frame(SessionProtocol protocol) const
{
    if (protocol == SessionProtocol::Room || m_envelope.kind == Envelope::Kind::Event)
        return m_envelope.payload;
    if (m_typedFrame.isNull() && m_envelope.kind == Envelope::Kind::Direct) {
        m_typedFrame = R"({"type":"direct_message","from":)" + JsonText::quote(m_envelope.from) + R"(,"content":)"
            + m_envelope.payload + R"(,"ts":)" + QByteArray::number(m_envelope.ts) + '}';
    }
    if (m_typedFrame.isNull()) {
        m_typedFrame = "{\"type\":\"message\",\"room\":" + JsonText::quote(m_room);
        if (!m_envelope.from.isEmpty())
            m_typedFrame += ",\"from\":" + JsonText::quote(m_envelope.from);
        m_typedFrame += ",\"content\":" + m_envelope.payload;
        m_typedFrame += ",\"ts\":" + QByteArray::number(m_envelope.ts);
        if (m_envelope.offset > 0) {
            m_typedFrame += ",\"offset\":" + QByteArray::number(m_envelope.offset);
            m_typedFrame += ",\"epoch\":" + JsonText::quote(m_envelope.epoch);
        }
        m_typedFrame += '}';
    }
    return m_typedFrame;
}

namespace {

QByteArray websocketTextFrame(const QByteArray &utf8)
{
    QByteArray frame;
    const qsizetype length = utf8.size();
    frame.reserve(length + 10);
    frame.append(char(0x81)); // FIN + text
    if (length < 126) {
        frame.append(char(length));
    } else if (length <= 0xffff) {
        frame.append(char(126));
        frame.append(char((length >> 8) & 0xff));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(length) >> shift) & 0xff));
    }
    frame.append(utf8);
    return frame;
}

}

const QByteArray &Delivery::wireFrame(SessionProtocol protocol) const
{
    const bool bare = protocol == SessionProtocol::Room || m_envelope.kind == Envelope::Kind::Event;
    QByteArray &wire = bare ? m_roomWire : m_typedWire;
    if (wire.isNull())
        wire = websocketTextFrame(frame(protocol));
    return wire;
}

}
