#pragma once

#include <QHash>
#include <QString>

namespace fanout {

class Node;
class Session;

/// Turns client frames into Node calls, for both wire protocols (docs/protocol.md):
/// room mode (seed 001) and typed mode (seed 004). Bad frames get an error frame and change
/// nothing else. Transport-neutral: WebSocket sessions and virtual clients use it alike.
class ClientProtocol
{
public:
    static constexpr qsizetype MaxRoomsPerSession = 100;

    explicit ClientProtocol(Node &node) : m_node(node) {}

    /// A session has connected. Room mode joins `room`; typed mode sends a welcome frame.
    void opened(Session *session, const QString &room = {});
    void textReceived(Session *session, const QString &text);
    void binaryReceived(Session *session);
    /// The session is gone: leaves its rooms (typed mode tells the rooms with user_left).
    void closed(Session *session);

    static QString errorFrame(const QString &code, const QString &message);

private:
    void roomModeText(Session *session, const QString &text);
    void typedModeText(Session *session, const QString &text);
    void publishEvent(Session *session, const QString &room, const char *type);

    Node &m_node;
    QHash<Session *, QString> m_homeRooms;
};

}
