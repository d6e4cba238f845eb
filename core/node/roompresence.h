#pragma once

#include "broker/hashslot.h"
#include "broker/presence.h"
#include "roomchannels.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace fanout {

class Broker;
class Session;

/// Who is where, fleet-wide (docs/protocol.md, "Presence"), kept in the broker's presence
/// sets, never by scanning keys:
/// - per room, `{<channel>}:presence`: one entry per connection of a user in the room, counted
///   per user; the first connection of a user anywhere publishes `presence_joined` on the
///   room's channel, the last one `presence_left`;
/// - for the fleet, `{N}:online`: one entry per user and node; the first connection of a user on
///   a node publishes `connected` on `N:updates`, the last `disconnected`. N is the fleet's
///   presence namespace, `presence` by default (the seed's channel, `presence:updates`): fleets
///   sharing a Redis keep their online lists apart with namespaces of their own.
/// Entries live `ttl` and this node refreshes its own every third of it; each refresh also
/// removes the expired entries of the sets it holds (a dead node's), publishing their events,
/// so a crashed node's users are gone within ttl plus one refresh period. A held room whose set
/// was empty is skipped until a presence_joined in it shows that someone came.
class RoomPresence : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultTtlSeconds = 60;
    /// The channel of a namespace's connected/disconnected events, and its online set.
    static QByteArray updatesChannelOf(const QString &presenceNamespace)
    {
        return presenceNamespace.toUtf8() + ":updates";
    }
    static QByteArray onlineSetOf(const QString &presenceNamespace)
    {
        return '{' + presenceNamespace.toUtf8() + "}:online";
    }

    using Rooms = std::function<QStringList()>;

    /// `rooms` lists the rooms the node holds: their sets are swept even without a local user.
    RoomPresence(Broker *broker, const QString &nodeId, qint64 ttlMs, const RoomChannels &channels,
                 const QString &presenceNamespace, Rooms rooms, QObject *parent = nullptr);

    qint64 ttlMs() const { return m_ttlMs; }
    /// The presence set of a room's channel.
    static QByteArray setFor(const QByteArray &channel) { return HashSlot::keyBeside(channel, ":presence"); }
    /// An authenticated session is in `room` (it joined, or authenticated while in it).
    void joined(Session *session, const QString &room);
    void left(Session *session, const QString &room);
    /// The node's first connection of `user` arrived, or its last one left.
    void userArrived(const QString &user);
    void userLeft(const QString &user);
    /// The broker is connected again: this node's entries are joined again (Redis may have lost
    /// them) and watchers resubscribed.
    void reconnected();
    /// A user joined `room` somewhere (its presence_joined passed by): its set needs sweeping.
    void roomActive(const QString &room);
    /// The node no longer holds the room.
    void roomEnded(const QString &room);

    /// Answers `{"type":"presence","room":R,"users":[...]}` from the room's set.
    void sendPresence(Session *session, const QString &room);
    /// Answers `{"type":"online_users","users":[...]}` from the fleet's online set.
    void sendOnlineUsers(Session *session);
    /// The session receives the namespace's connected/disconnected events from now on.
    void watch(Session *session);
    /// The session is gone: no more updates nor answers for it.
    void forget(Session *session);
    bool isUpdatesChannel(const QByteArray &channel) const { return channel == m_updatesChannel; }
    void updateReceived(const QByteArray &message);

private:
    PresenceChange change(PresenceChange::Kind kind, const QString &room) const;
    PresenceChange onlineChange(PresenceChange::Kind kind) const;
    PresenceEntry onlineEntry(const QString &user, qint64 sinceMs) const;
    void refresh();
    void read(Session *session, const QByteArray &set, std::function<QByteArray(const PresenceRead &)> answer);

    Broker *m_broker;
    QString m_nodeId;
    QString m_instance; ///< this process: a restarted node's connections are new ones
    qint64 m_ttlMs;
    const RoomChannels &m_channels;
    QByteArray m_updatesChannel;
    QByteArray m_onlineSet;
    Rooms m_rooms;
    QHash<QString, QHash<QString, PresenceEntry>> m_local; ///< room -> this node's entries by connection
    QHash<QString, qint64> m_onlineSince; ///< users with a connection here -> since when
    QSet<Session *> m_watchers;
    /// Held rooms whose set was empty at the last refresh: not refreshed until a user joins.
    QSet<QString> m_quiet;
    QHash<quint64, Session *> m_awaitingRead;
    quint64 m_nextRead = 1;
    QTimer m_refresh;
};

}
