#pragma once

#include "utf8validator.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace fanout {

/// Reads client-to-server WebSocket frames (RFC 6455) from a byte stream, incrementally: what
/// arrives is parsed where it lies (a caller's shared read buffer) and only an incomplete frame
/// is kept. It reassembles fragmented messages, answers nothing itself, and fails the connection
/// with the code RFC 6455 names: 1002 for a protocol error (an unmasked frame, reserved bits,
/// an unknown opcode, a fragmented or long control frame, a stray continuation, a bad close
/// code), 1007 for text that is not UTF-8 (checked across fragments, as they arrive), 1009 for
/// a message over the limit (checked from the declared length, before buffering it).
class FrameReader
{
public:
    struct Event {
        enum class Type {
            Text,
            Binary,
            Ping,
            Pong,
            Close, ///< the peer's close frame: code (1005 when it gave none) and reason
            Fail ///< the connection must close with code and reason
        };
        Type type;
        QByteArray payload;
        int code = 0;
        QString reason;
    };

    explicit FrameReader(quint64 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) { }

    /// Parses what `data` adds to the stream, appending what it finished to events. After a
    /// Close or a Fail it reads nothing more.
    void feed(QByteArrayView data, std::vector<Event> *events);
    /// Bytes held for an incomplete frame or message.
    qsizetype bufferedBytes() const { return m_partial.size() + m_message.size(); }

private:
    /// Parses one frame at the start of data; returns the bytes it took, 0 when incomplete.
    qsizetype parseFrame(QByteArrayView data, std::vector<Event> *events);
    void takeData(quint8 opcode, bool final, QByteArray payload, std::vector<Event> *events);
    void takeClose(const QByteArray &payload, std::vector<Event> *events);
    void fail(int code, const QString &reason, std::vector<Event> *events);

    quint64 m_maxMessageBytes;
    QByteArray m_partial; ///< the start of a frame not yet complete
    QByteArray m_message; ///< the fragments of a message so far
    quint8 m_messageOpcode = 0; ///< of the message in progress; 0 for none
    Utf8Validator m_utf8;
    bool m_finished = false;
};

}
