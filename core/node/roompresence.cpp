#include "roompresence.h"

#include "broker/broker.h"
#include "envelope/jsontext.h"
#include "session/session.h"

#include <QDateTime>
#include <QUuid>

#include <map>

namespace fanout {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// A JSON string for an event format: `$` is written \u0024 so that only the placeholders
/// carry one.
QByteArray quoteForFormat(const QString &text)
{
    return JsonText::quote(text).replace('$', "\\u0024");
}

QByteArray roomEventFormat(const QString &nodeId, const QString &room, const char *type)
{
    const QByteArray quotedRoom = quoteForFormat(room);
    return R"({"origin":)" + quoteForFormat(nodeId) + R"(,"room":)" + quotedRoom + R"(,"payload":{"type":")" + type
        + R"(","room":)" + quotedRoom + R"(,"user":$user},"ts":$ts,"kind":"event"})";
}

QByteArray onlineEventFormat(const char *event)
{
    return R"({"type":"presence","event":")" + QByteArray(event) + R"(","userId":$user,"serverId":$node})";
}

}

RoomPresence::RoomPresence(Broker *broker, const QString &nodeId, qint64 ttlMs, const RoomChannels &channels,
                           const QString &presenceNamespace, Rooms rooms, QObject *parent)
    : QObject(parent), m_broker(broker), m_nodeId(nodeId),
      m_instance(QUuid::createUuid().toString(QUuid::Id128).left(8)), m_ttlMs(std::max<qint64>(1000, ttlMs)),
      m_channels(channels), m_updatesChannel(updatesChannelOf(presenceNamespace)),
      m_onlineSet(onlineSetOf(presenceNamespace)), m_rooms(std::move(rooms))
{
    m_refresh.setInterval(int(std::min<qint64>(m_ttlMs / 3, 24 * 3600 * 1000)));
    connect(&m_refresh, &QTimer::timeout, this, &RoomPresence::refresh);
    m_refresh.start();
}

PresenceChange RoomPresence::change(PresenceChange::Kind kind, const QString &room) const
{
    PresenceChange change;
    change.kind = kind;
    change.set = setFor(m_channels.base(room));
    change.nowMs = nowMs();
    change.expiresAtMs = change.nowMs + m_ttlMs;
    change.eventChannel = m_channels.forEvents(room);
    change.joinedFormat = roomEventFormat(m_nodeId, room, "presence_joined");
    change.leftFormat = roomEventFormat(m_nodeId, room, "presence_left");
    return change;
}

PresenceChange RoomPresence::onlineChange(PresenceChange::Kind kind) const
{
    PresenceChange change;
    change.kind = kind;
    change.set = m_onlineSet;
    change.nowMs = nowMs();
    change.expiresAtMs = change.nowMs + m_ttlMs;
    change.eventChannel = m_updatesChannel;
    change.joinedFormat = onlineEventFormat("connected");
    change.leftFormat = onlineEventFormat("disconnected");
    return change;
}

PresenceEntry RoomPresence::onlineEntry(const QString &user, qint64 sinceMs) const
{
    // One subject per user and node: a restarted node's entry and its dead predecessor's are
    // one presence, not two.
    return {m_instance + QLatin1Char(':') + user, m_nodeId + QLatin1Char('\n') + user, user, m_nodeId, sinceMs, 0};
}

void RoomPresence::joined(Session *session, const QString &room)
{
    const QString connection = m_instance + QLatin1Char(':') + session->id();
    const PresenceEntry entry {connection, session->user(), session->user(), m_nodeId, nowMs(), 0};
    m_local[room].insert(connection, entry);
    PresenceChange join = change(PresenceChange::Kind::Join, room);
    join.entries.push_back(entry);
    m_broker->changePresence(join, m_ttlMs);
}

void RoomPresence::left(Session *session, const QString &room)
{
    const auto local = m_local.find(room);
    if (local == m_local.end())
        return;
    const PresenceEntry entry = local->take(m_instance + QLatin1Char(':') + session->id());
    if (local->isEmpty())
        m_local.erase(local);
    if (entry.connection.isEmpty())
        return;
    PresenceChange leave = change(PresenceChange::Kind::Leave, room);
    leave.entries.push_back(entry);
    m_broker->changePresence(leave, m_ttlMs);
}

void RoomPresence::userArrived(const QString &user)
{
    const qint64 since = nowMs();
    m_onlineSince.insert(user, since);
    PresenceChange join = onlineChange(PresenceChange::Kind::Join);
    join.entries.push_back(onlineEntry(user, since));
    m_broker->changePresence(join, m_ttlMs);
}

void RoomPresence::userLeft(const QString &user)
{
    if (!m_onlineSince.remove(user))
        return;
    PresenceChange leave = onlineChange(PresenceChange::Kind::Leave);
    leave.entries.push_back(onlineEntry(user, 0));
    m_broker->changePresence(leave, m_ttlMs);
}

void RoomPresence::reconnected()
{
    for (auto room = m_local.cbegin(); room != m_local.cend(); ++room) {
        PresenceChange join = change(PresenceChange::Kind::Join, room.key());
        join.entries.assign(room->cbegin(), room->cend());
        m_broker->changePresence(join, m_ttlMs);
    }
    if (!m_onlineSince.isEmpty()) {
        PresenceChange join = onlineChange(PresenceChange::Kind::Join);
        for (auto user = m_onlineSince.cbegin(); user != m_onlineSince.cend(); ++user)
            join.entries.push_back(onlineEntry(user.key(), user.value()));
        m_broker->changePresence(join, m_ttlMs);
    }
    if (!m_watchers.isEmpty())
        m_broker->subscribe(m_updatesChannel);
    m_quiet.clear(); // the server may have restarted: sets are unknown again
}

void RoomPresence::roomActive(const QString &room)
{
    m_quiet.remove(room);
}

void RoomPresence::roomEnded(const QString &room)
{
    m_quiet.remove(room);
}

void RoomPresence::refresh()
{
    for (const QString &room : m_rooms()) {
        const auto local = m_local.constFind(room);
        const bool hasLocal = local != m_local.cend();
        if (!hasLocal && m_quiet.contains(room))
            continue; // nothing of ours to refresh, nobody else's to sweep
        PresenceChange refresh = change(PresenceChange::Kind::Refresh, room);
        if (hasLocal)
            refresh.entries.assign(local->cbegin(), local->cend());
        m_broker->changePresence(refresh, m_ttlMs, [this, room](qint64 remaining) {
            if (remaining == 0 && !m_local.contains(room))
                m_quiet.insert(room);
        });
    }
    PresenceChange refresh = onlineChange(PresenceChange::Kind::Refresh);
    for (auto user = m_onlineSince.cbegin(); user != m_onlineSince.cend(); ++user)
        refresh.entries.push_back(onlineEntry(user.key(), user.value()));
    m_broker->changePresence(refresh, m_ttlMs);
}

void RoomPresence::read(Session *session, const QByteArray &set, std::function<QByteArray(const PresenceRead &)> answer)
{
    // One question at a time per connection: a read costs Redis the size of the set.
    if (std::find(m_awaitingRead.cbegin(), m_awaitingRead.cend(), session) != m_awaitingRead.cend()) {
        session->sendText(R"({"type":"error","code":"busy","message":"a presence question is being answered"})");
        return;
    }
    const quint64 id = m_nextRead++;
    m_awaitingRead.insert(id, session);
    m_broker->readPresence(set, nowMs(), [this, id, answer = std::move(answer)](const PresenceRead &read) {
        Session *asker = m_awaitingRead.take(id);
        if (!asker)
            return;
        if (!read.ok) {
            asker->sendText(R"({"type":"error","code":"unavailable","message":"the broker is not connected"})");
            return;
        }
        asker->sendText(answer(read));
    });
}

void RoomPresence::sendPresence(Session *session, const QString &room)
{
    read(session, setFor(m_channels.base(room)), [room](const PresenceRead &read) {
        struct User {
            int connections = 0;
            qint64 since = 0;
        };
        std::map<QString, User> users;
        for (const PresenceEntry &entry : read.entries) {
            User &user = users[entry.user];
            user.since = user.connections == 0 ? entry.sinceMs : std::min(user.since, entry.sinceMs);
            ++user.connections;
        }
        QByteArray frame = R"({"type":"presence","room":)" + JsonText::quote(room) + R"(,"users":[)";
        for (auto user = users.cbegin(); user != users.cend(); ++user) {
            frame += (user == users.cbegin() ? "" : ",") + QByteArray(R"({"user":)") + JsonText::quote(user->first)
                + R"(,"connections":)" + QByteArray::number(user->second.connections) + R"(,"since":)"
                + QByteArray::number(user->second.since) + '}';
        }
        return frame + "]}";
    });
}

void RoomPresence::sendOnlineUsers(Session *session)
{
    read(session, m_onlineSet, [ttl = m_ttlMs](const PresenceRead &read) {
        struct Online {
            qint64 connectedAt = 0;
            qint64 lastSeen = 0;
        };
        std::map<std::pair<QString, QString>, Online> online; // (user, node): a restart is one entry
        for (const PresenceEntry &entry : read.entries) {
            auto [position, added] = online.try_emplace({entry.user, entry.node});
            Online &o = position->second;
            o.connectedAt = added ? entry.sinceMs : std::min(o.connectedAt, entry.sinceMs);
            o.lastSeen = std::max(o.lastSeen, entry.expiresAtMs - ttl);
        }
        QByteArray frame = R"({"type":"online_users","users":[)";
        for (auto o = online.cbegin(); o != online.cend(); ++o) {
            frame += (o == online.cbegin() ? "" : ",") + QByteArray(R"({"userId":)") + JsonText::quote(o->first.first)
                + R"(,"serverId":)" + JsonText::quote(o->first.second) + R"(,"connectedAt":)"
                + QByteArray::number(o->second.connectedAt) + R"(,"lastSeen":)" + QByteArray::number(o->second.lastSeen)
                + '}';
        }
        return frame + "]}";
    });
}

void RoomPresence::watch(Session *session)
{
    if (m_watchers.isEmpty())
        m_broker->subscribe(m_updatesChannel);
    m_watchers.insert(session);
}

void RoomPresence::forget(Session *session)
{
    m_awaitingRead.removeIf([session](const auto &entry) { return entry.value() == session; });
    if (m_watchers.remove(session) && m_watchers.isEmpty())
        m_broker->unsubscribe(m_updatesChannel);
}

void RoomPresence::updateReceived(const QByteArray &message)
{
    for (Session *watcher : std::as_const(m_watchers))
        watcher->sendText(message);
}

}
