#include "roomregistry.h"

namespace fanout {

RoomRegistry::JoinResult RoomRegistry::join(Session *session, const QString &room)
{
    QSet<QString> &rooms = m_rooms[session];
    if (rooms.contains(room))
        return {};
    rooms.insert(room);
    QSet<Session *> &members = m_members[room];
    const bool first = members.isEmpty();
    members.insert(session);
    return {true, first};
}

RoomRegistry::LeaveResult RoomRegistry::leave(Session *session, const QString &room)
{
    const auto roomsIt = m_rooms.find(session);
    if (roomsIt == m_rooms.end() || !roomsIt->remove(room))
        return {};
    if (roomsIt->isEmpty())
        m_rooms.erase(roomsIt);
    const auto membersIt = m_members.find(room);
    membersIt->remove(session);
    const bool last = membersIt->isEmpty();
    if (last)
        m_members.erase(membersIt);
    return {true, last};
}

RoomRegistry::RemoveResult RoomRegistry::remove(Session *session)
{
    RemoveResult result;
    const QStringList rooms = roomsOf(session);
    for (const QString &room : rooms) {
        result.rooms.append(room);
        if (leave(session, room).lastInRoom)
            result.emptiedRooms.append(room);
    }
    return result;
}

const QSet<Session *> *RoomRegistry::members(const QString &room) const
{
    const auto it = m_members.constFind(room);
    return it == m_members.cend() ? nullptr : &it.value();
}

bool RoomRegistry::contains(Session *session, const QString &room) const
{
    const auto it = m_rooms.constFind(session);
    return it != m_rooms.cend() && it->contains(room);
}

QStringList RoomRegistry::rooms() const
{
    QStringList result = m_members.keys();
    result.sort();
    return result;
}

QStringList RoomRegistry::roomsOf(Session *session) const
{
    const auto it = m_rooms.constFind(session);
    if (it == m_rooms.cend())
        return {};
    QStringList result(it->cbegin(), it->cend());
    result.sort();
    return result;
}

qsizetype RoomRegistry::roomCountOf(Session *session) const
{
    const auto it = m_rooms.constFind(session);
    return it == m_rooms.cend() ? 0 : it->size();
}

qsizetype RoomRegistry::memberCount(const QString &room) const
{
    const auto it = m_members.constFind(room);
    return it == m_members.cend() ? 0 : it->size();
}

}
