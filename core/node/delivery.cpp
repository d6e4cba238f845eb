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
        wire = websocketTextFrame(bare ? m_envelope.payload : frame(protocol).toUtf8());
    return wire;
}

}
