#include "inprocesshistory.h"

#include <QUuid>

#include <algorithm>

namespace fanout {

InProcessHistory::InProcessHistory() : m_epoch(QUuid::createUuid().toString(QUuid::Id128).left(12))
{ }

quint64 InProcessHistory::offsetOf(const Room &room, const QString &origin, quint64 id)
{
    const auto found = std::find_if(room.entries.crbegin(), room.entries.crend(),
                                    [&](const Entry &e) { return e.id == id && e.origin == origin; });
    return found == room.entries.crend() ? 0 : found->entry.offset;
}

InProcessHistory::Appended InProcessHistory::append(const QByteArray &channel, const QByteArray &envelope,
                                                    const HistoryAppend &append)
{
    Room &room = m_rooms[channel];
    if (!append.origin.isEmpty()) {
        const auto last = room.lastByOrigin.constFind(append.origin);
        if (last != room.lastByOrigin.cend() && append.id <= last->first) {
            const quint64 offset = append.id == last->first ? last->second : offsetOf(room, append.origin, append.id);
            return {{offset, m_epoch}, {}, true};
        }
    }
    const quint64 offset = ++room.top;
    QByteArray message = envelope.chopped(1) + ",\"offset\":" + QByteArray::number(offset) + ",\"epoch\":\""
        + m_epoch.toUtf8() + "\"}";
    room.entries.push_back({{offset, message}, append.origin, append.id});
    while (qint64(room.entries.size()) > append.policy.size)
        room.entries.pop_front();
    if (!append.origin.isEmpty())
        room.lastByOrigin.insert(append.origin, {append.id, offset});
    return {{offset, m_epoch}, message, false};
}

HistoryRead InProcessHistory::read(const QByteArray &channel, const HistoryQuery &query) const
{
    HistoryRead read;
    read.ok = true;
    read.top.epoch = m_epoch;
    const auto room = m_rooms.constFind(channel);
    if (room == m_rooms.cend())
        return read;
    read.top.offset = room->top;
    if (query.limit <= 0)
        return read;
    if (query.latest) {
        const auto count = std::min<qsizetype>(query.limit, qsizetype(room->entries.size()));
        for (auto it = room->entries.cend() - count; it != room->entries.cend(); ++it)
            read.entries.push_back(it->entry);
        return read;
    }
    for (const Entry &entry : room->entries) {
        if (entry.entry.offset > query.after && qsizetype(read.entries.size()) < query.limit)
            read.entries.push_back(entry.entry);
    }
    return read;
}

}
