#include "delivery.h"

#include "envelope/jsontext.h"
#include "websocket/framewriter.h"

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

const QByteArray &Delivery::wireFrame(SessionProtocol protocol) const
{
    const bool bare = protocol == SessionProtocol::Room || m_envelope.kind == Envelope::Kind::Event;
    QByteArray &wire = bare ? m_roomWire : m_typedWire;
    if (wire.isNull())
        wire = FrameWriter::text(frame(protocol));
    return wire;
}

}
