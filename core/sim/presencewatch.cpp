#include "presencewatch.h"

#include "node/node.h"
#include "node/roompresence.h"
#include "simfleet.h"
#include "simsnapshot.h"

#include <QDateTime>

#include <map>

namespace fanout {

PresenceWatch::PresenceWatch(const SimFleet &fleet, const QStringList &rooms, QObject *parent)
    : QObject(parent), m_fleet(fleet), m_rooms(rooms.mid(0, MaxRooms))
{
    m_timer.setInterval(PollMs);
    connect(&m_timer, &QTimer::timeout, this, &PresenceWatch::poll);
}

void PresenceWatch::poll()
{
    for (int i = 0; i < m_fleet.nodeCount(); ++i) {
        Node *node = m_fleet.node(i).node();
        if (!node || node->broker()->state() != Broker::State::Connected)
            continue;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const QString &room : std::as_const(m_rooms)) {
            node->broker()->readPresence(RoomPresence::setFor(node->channelFor(room)), now,
                                         [this, room](const PresenceRead &read) {
                                             if (read.ok)
                                                 m_latest.insert(room, read.entries);
                                         });
        }
        return;
    }
}

std::vector<SimPresenceEntry> PresenceWatch::entries(qint64 nowMs) const
{
    std::map<std::tuple<QString, QString, QString>, SimPresenceEntry> grouped;
    for (auto room = m_latest.cbegin(); room != m_latest.cend(); ++room) {
        for (const PresenceEntry &entry : room.value()) {
            SimPresenceEntry &row = grouped[{room.key(), entry.user, entry.node}];
            row.room = room.key();
            row.user = entry.user;
            row.node = entry.node;
            ++row.connections;
            row.expiresInMs = std::max(row.expiresInMs, entry.expiresAtMs - nowMs);
        }
    }
    std::vector<SimPresenceEntry> rows;
    rows.reserve(grouped.size());
    for (auto &[key, row] : grouped)
        rows.push_back(std::move(row));
    return rows;
}

}
