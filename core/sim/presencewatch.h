#pragma once

#include "broker/presence.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <vector>

namespace fanout {

class SimFleet;
struct SimPresenceEntry;

/// The fleet's presence as its broker holds it, read for the snapshots through any node that is
/// connected: per room, which users are present and which nodes hold their connections. A
/// killed node's users stay listed until their entries expire (the scenario's presence_ttl),
/// which is what a user of the studio comes to see.
class PresenceWatch : public QObject
{
    Q_OBJECT
public:
    static constexpr int PollMs = 250;
    /// Rooms past this many are not watched (a snapshot is for eyes, not for every room).
    static constexpr qsizetype MaxRooms = 50;

    PresenceWatch(const SimFleet &fleet, const QStringList &rooms, QObject *parent = nullptr);

    void start() { m_timer.start(); }
    /// Per room, user and node: the connections and when the latest of them expires.
    std::vector<SimPresenceEntry> entries(qint64 nowMs) const;

private:
    void poll();

    const SimFleet &m_fleet;
    QStringList m_rooms;
    QHash<QString, std::vector<PresenceEntry>> m_latest;
    QTimer m_timer;
};

}
