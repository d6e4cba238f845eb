#include "delivery.h"

#include "envelope/jsontext.h"

namespace fanout {

const QString &Delivery::frame(SessionProtocol protocol) const
{
    if (protocol == SessionProtocol::Room || m_envelope.kind == Envelope::Kind::Event) {
        if (m_roomFrame.isNull())
            m_roomFrame = QString::fromUtf8(m_envelope.payload);
        return m_roomFrame;
    }
    if (m_typedFrame.isNull()) {
        QByteArray text = "{\"type\":\"message\",\"room\":" + JsonText::quote(m_room);
        if (!m_envelope.from.isEmpty())
            text += ",\"from\":" + JsonText::quote(m_envelope.from);
        text += ",\"content\":" + m_envelope.payload;
        text += ",\"ts\":" + QByteArray::number(m_envelope.ts) + '}';
        m_typedFrame = QString::fromUtf8(text);
    }
    return m_typedFrame;
}

}
