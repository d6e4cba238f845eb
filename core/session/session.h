#pragma once

#include <QByteArray>
#include <QString>

namespace fanout {

class Delivery;

/// Which wire protocol a session speaks; decides the frame a delivery becomes.
enum class SessionProtocol {
    Room, ///< room mode: one room per connection, frames are the bare payload text
    Typed ///< typed mode: join/leave/message objects, many rooms, user_joined/user_left events
};

/// One client attached to a Node: a WebSocket connection, or a virtual client in a simulation.
/// The Node never owns sessions; whoever creates one detaches it from the Node before
/// destroying it.
class Session
{
public:
    Session(QString id, SessionProtocol protocol) : m_id(std::move(id)), m_protocol(protocol) { }
    virtual ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    QString id() const { return m_id; }
    SessionProtocol protocol() const { return m_protocol; }

    /// Who the client is once it authenticated (docs/protocol.md, "Identity"): the user id,
    /// empty while anonymous, and whether a token proved it (a node without a token secret
    /// takes the client's word, unverified).
    QString user() const { return m_user; }
    bool isVerified() const { return m_verified; }
    void setUser(const QString &user, bool verified)
    {
        m_user = user;
        m_verified = verified;
    }
    /// What `from` and events name this session by: its user, or its id while anonymous.
    QString sender() const { return m_user.isEmpty() ? m_id : m_user; }

    /// Hands the session one message of a room it is in (Delivery::isFor its protocol).
    /// Must not call back into the Node synchronously.
    virtual void deliver(const Delivery &delivery) = 0;
    /// Sends one text frame (UTF-8) of the protocol itself: welcome, acknowledgements, errors.
    virtual void sendText(const QByteArray &frame) = 0;
    /// Ends the session with a WebSocket close code and a reason.
    virtual void close(int code, const QString &reason) = 0;

private:
    QString m_id;
    SessionProtocol m_protocol;
    QString m_user;
    bool m_verified = false;
};

}
