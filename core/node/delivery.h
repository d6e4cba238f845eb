#pragma once

#include "envelope/envelope.h"
#include "session/session.h"

namespace fanout {

/// One message as a node hands it to its local sessions. The text frame of each protocol is
/// built on first use and shared by every session of the room, so a room's message is framed
/// once, not once per recipient.
class Delivery
{
public:
    /// Where the node got the message: live from its subscription, or read back from the
    /// room's history to fill a gap (RoomRecovery). Frames are the same either way.
    enum class Source {
        Live,
        History
    };

    Delivery(const QString &room, const Envelope &envelope, Source source = Source::Live)
        : m_room(room), m_envelope(envelope), m_source(source)
    { }

    const QString &room() const { return m_room; }
    const Envelope &envelope() const { return m_envelope; }
    Source source() const { return m_source; }
    /// Room-mode sessions get room messages only; typed sessions get messages, events and
    /// direct messages.
    bool isFor(SessionProtocol protocol) const
    {
        return protocol == SessionProtocol::Typed || m_envelope.kind == Envelope::Kind::Message;
    }
    /// The frame's text (UTF-8).
    const QByteArray &frame(SessionProtocol protocol) const;
    /// The same frame as a complete server-to-client WebSocket text frame (RFC 6455: FIN, opcode
    /// 1, no mask), encoded once and shared by every socket of the room.
    const QByteArray &wireFrame(SessionProtocol protocol) const;

private:
    const QString &m_room;
    const Envelope &m_envelope;
    Source m_source;
    mutable QByteArray m_typedFrame;
    mutable QByteArray m_roomWire;
    mutable QByteArray m_typedWire;
};

}
