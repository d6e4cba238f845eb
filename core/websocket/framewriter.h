#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace fanout {

/// Server-to-client WebSocket frames (RFC 6455): never masked, always final.
class FrameWriter
{
public:
    enum Opcode : quint8 {
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xa
    };

    static QByteArray text(QByteArrayView utf8) { return frame(Text, utf8); }
    static QByteArray pong(QByteArrayView payload) { return frame(Pong, payload); }
    /// A close frame with a code and a reason, cut to the 123 bytes a control frame leaves for
    /// it (on a character boundary).
    static QByteArray close(int code, const QString &reason);
    static QByteArray frame(Opcode opcode, QByteArrayView payload);
};

}
