#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace fanout {

class Session;

/// The node-local, two-way index room -> sessions and session -> rooms. Operations report the
/// transitions the caller acts on (first member joined, last member left), and a room's entry is
/// removed with its last member so empty rooms never pile up. No network, no Qt event loop.
class RoomRegistry
{
public:
    struct JoinResult {
        bool joined = false; ///< false when the session was already a member
        bool firstInRoom = false; ///< the room had no local member before: subscribe
    };
    struct LeaveResult {
        bool left = false; ///< false when the session was not a member
        bool lastInRoom = false; ///< the room has no local member now: unsubscribe
    };
    struct RemoveResult {
        QStringList rooms; ///< every room the session was in
        QStringList emptiedRooms; ///< those of them left without members
    };

    JoinResult join(Session *session, const QString &room);
    LeaveResult leave(Session *session, const QString &room);
    RemoveResult remove(Session *session);

    /// Members of a room, or nullptr when no local session is in it.
    const QSet<Session *> *members(const QString &room) const;
    bool contains(Session *session, const QString &room) const;
    QStringList rooms() const;
    QStringList roomsOf(Session *session) const;
    qsizetype roomCountOf(Session *session) const;
    qsizetype roomCount() const { return m_members.size(); }
    qsizetype memberCount(const QString &room) const;
    qsizetype sessionCount() const { return m_rooms.size(); }

private:
    QHash<QString, QSet<Session *>> m_members;
    QHash<Session *, QSet<QString>> m_rooms;
};

}
