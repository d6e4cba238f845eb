#include "node.h"

#include "delivery.h"
#include "directmessages.h"
#include "envelope/jsontext.h"
#include "logging.h"
#include "roompresence.h"
#include "roomrecovery.h"
#include "session/session.h"
#include "sessionhistory.h"

#include <QDateTime>
#include <QPointer>
#include <QUuid>
#include <algorithm>

namespace fanout {

namespace {
constexpr qsizetype MaxRememberedFallbackIds = 65536;
}

Node::Node(const NodeConfig &config, Broker *broker, QObject *parent)
    : QObject(parent), m_config(config),
      m_channels(config.channelPrefix, config.history.isOn() ? 1 : config.shardCount), m_broker(broker),
      m_nextMessageId(config.firstMessageId)
{
    m_clock.start();
    m_broker->setParent(this);
    // Created after the broker became a child: they go after it, and its last replies find them.
    m_direct = new DirectMessages(m_broker, m_config.nodeId, m_config.userPrefix, m_users, this);
    connect(m_direct, &DirectMessages::delivered, this, [this](const Envelope &envelope, quint64 sessions) {
        m_stats.deliveries += sessions;
        emit envelopeDelivered(envelope, sessions);
    });
    m_presence = new RoomPresence(
        m_broker, m_config.nodeId, qint64(m_config.presenceTtlSeconds) * 1000, m_channels, m_config.presenceNamespace,
        [this] { return m_registry.rooms(); }, this);
    connect(m_broker, &Broker::messageReceived, this, &Node::onBrokerMessage);
    connect(m_broker, &Broker::stateChanged, this, &Node::onBrokerStateChanged);
    if (m_config.history.isOn()) {
        // Message ids restart with the process: a restarted node with the same id must not
        // look like the old one sending its messages again.
        m_historyOrigin = m_config.nodeId + QLatin1Char('/') + QUuid::createUuid().toString(QUuid::Id128).left(8);
        m_recovery = new RoomRecovery(
            m_broker, [this](const QString &room) { return channelFor(room); },
            [this](const QString &room, const Envelope &envelope, Delivery::Source source) {
                deliver(room, envelope, source);
            },
            this);
        connect(m_recovery, &RoomRecovery::historyLost, this, &Node::tellHistoryLost);
        m_sessionHistory = new SessionHistory(
            m_broker, m_config.history, [this](const QString &room) { return channelFor(room); }, this);
    }
}

Node::~Node() = default;

bool Node::isValidRoom(const QString &room, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (room.isEmpty())
        return fail(QStringLiteral("the room name is empty"));
    if (room.size() > MaxRoomLength)
        return fail(QStringLiteral("the room name is longer than %1 characters").arg(MaxRoomLength));
    for (const QChar c : room) {
        if (c.category() == QChar::Other_Control)
            return fail(QStringLiteral("the room name contains a control character"));
    }
    return true;
}

QByteArray Node::userChannelFor(const QString &user) const
{
    return m_direct->channelFor(user);
}

void Node::attach(Session *session)
{
    m_sessions.insert(session);
}

QStringList Node::detach(Session *session)
{
    if (m_sessionHistory)
        m_sessionHistory->forget(session);
    m_sessions.remove(session);
    const RoomRegistry::RemoveResult removed = m_registry.remove(session);
    if (!session->user().isEmpty()) {
        for (const QString &room : removed.rooms)
            m_presence->left(session, room);
        userLeft(session);
    }
    m_direct->forget(session);
    m_presence->forget(session);
    for (const QString &room : removed.emptiedRooms)
        roomEnded(room);
    if (!removed.emptiedRooms.isEmpty())
        emit roomsChanged();
    return removed.rooms;
}

bool Node::join(Session *session, const QString &room)
{
    const RoomRegistry::JoinResult result = m_registry.join(session, room);
    if (result.firstInRoom) {
        roomStarted(room);
        emit roomsChanged();
    }
    if (result.joined && !session->user().isEmpty())
        m_presence->joined(session, room);
    return result.joined;
}

void Node::authenticate(Session *session)
{
    const QString user = session->user();
    if (m_users.join(session, user).firstInRoom) {
        m_direct->userArrived(user);
        m_presence->userArrived(user);
    }
    for (const QString &room : m_registry.roomsOf(session))
        m_presence->joined(session, room);
}

void Node::userLeft(Session *session)
{
    const QString user = session->user();
    if (m_users.leave(session, user).lastInRoom) {
        m_direct->userLeft(user);
        m_presence->userLeft(user);
    }
}

void Node::sendDirectMessage(Session *sender, const QString &to, const QByteArray &contentJson)
{
    ++m_stats.published;
    const quint64 id = takeMessageId();
    emit published(id, Envelope::Kind::Direct, to);
    m_direct->send(sender, to, contentJson, id);
}

void Node::sendPresence(Session *session, const QString &room)
{
    m_presence->sendPresence(session, room);
}

void Node::sendOnlineUsers(Session *session)
{
    m_presence->sendOnlineUsers(session);
}

void Node::watchPresence(Session *session)
{
    m_presence->watch(session);
}

bool Node::leave(Session *session, const QString &room)
{
    if (m_sessionHistory)
        m_sessionHistory->forget(session, room);
    const RoomRegistry::LeaveResult result = m_registry.leave(session, room);
    if (result.left && !session->user().isEmpty())
        m_presence->left(session, room);
    if (result.lastInRoom) {
        roomEnded(room);
        emit roomsChanged();
    }
    return result.left;
}

bool Node::isMember(Session *session, const QString &room) const
{
    return m_registry.contains(session, room);
}

quint64 Node::publish(const QString &room, const QByteArray &payloadJson, Envelope::Kind kind, const QString &from)
{
    Envelope envelope;
    envelope.origin = m_config.nodeId;
    envelope.room = room;
    envelope.payload = payloadJson;
    envelope.ts = QDateTime::currentMSecsSinceEpoch();
    envelope.id = takeMessageId();
    envelope.kind = kind;
    envelope.from = from;

    ++m_stats.published;
    emit published(envelope.id, kind, room);
    if (m_recovery && kind == Envelope::Kind::Message) {
        m_broker->publishToHistory(channelFor(room), envelope.encode(),
                                   {m_config.history, m_historyOrigin, envelope.id,
                                    [timer = roundTripTimer()](const std::optional<StreamPosition> &position) {
                                        if (position)
                                            timer();
                                    }});
        return envelope.id;
    }
    if (m_broker->state() != Broker::State::Connected) {
        rememberFallback(envelope.id);
        const quint64 before = m_stats.deliveries;
        deliver(room, envelope);
        m_stats.fallbackDeliveries += m_stats.deliveries - before;
    }
    m_broker->publish(m_channels.forPublish(room, from), envelope.encode(),
                      [timer = roundTripTimer()](qint64 receivers) {
                          if (receivers >= 0) // -1: dropped from the offline queue
                              timer();
                      });
    return envelope.id;
}

void Node::sendLatest(Session *session, const QString &room, qsizetype count)
{
    if (m_sessionHistory) {
        m_sessionHistory->sendLatest(session, room, count);
        return;
    }
    session->sendText(R"({"type":"history","room":)" + JsonText::quote(room)
                      + R"(,"messages":[],"offset":0,"epoch":""})");
}

void Node::recover(Session *session, const QString &room, const StreamPosition &since)
{
    if (m_sessionHistory) {
        m_sessionHistory->recover(session, room, since);
        return;
    }
    session->sendText(R"({"type":"joined","room":)" + JsonText::quote(room)
                      + R"(,"recovered":false,"offset":0,"epoch":""})");
}

void Node::roomStarted(const QString &room)
{
    for (const QByteArray &channel : m_channels.all(room))
        m_broker->subscribe(channel);
    if (m_recovery)
        m_recovery->roomStarted(room);
}

void Node::roomEnded(const QString &room)
{
    for (const QByteArray &channel : m_channels.all(room))
        m_broker->unsubscribe(channel);
    m_presence->roomEnded(room);
    if (m_recovery)
        m_recovery->roomEnded(room);
}

void Node::tellHistoryLost(const QString &room, const StreamPosition &position)
{
    ++m_stats.historyLost;
    const QSet<Session *> *members = m_registry.members(room);
    if (!members)
        return;
    const QByteArray frame = R"({"type":"history_lost","room":)" + JsonText::quote(room) + R"(,"epoch":)"
        + JsonText::quote(position.epoch) + R"(,"offset":)" + QByteArray::number(position.offset) + '}';
    for (Session *session : *members) {
        if (session->protocol() == SessionProtocol::Typed)
            session->sendText(frame);
    }
}

void Node::onBrokerMessage(const QByteArray &channel, const QByteArray &message)
{
    ++m_stats.brokerMessages;
    if (m_direct->isUserChannel(channel)) {
        m_direct->received(channel, message);
        return;
    }
    if (m_presence->isUpdatesChannel(channel)) {
        m_presence->updateReceived(message);
        return;
    }
    const std::optional<QString> roomOfChannel = m_channels.roomOf(channel);
    if (!roomOfChannel)
        return;
    const QString &room = *roomOfChannel;
    if (!m_registry.members(room)) {
        ++m_stats.wastedMessages;
        return;
    }
    QString error;
    std::optional<Envelope> envelope = Envelope::decode(message, &error);
    if (envelope && envelope->ts > 0)
        m_pubsubLag.record(std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - envelope->ts) * 1'000'000);
    if (envelope && envelope->kind == Envelope::Kind::Direct)
        envelope->kind = Envelope::Kind::Message; // a room's channel carries no direct messages
    if (!envelope) {
        ++m_stats.malformedMessages;
        qCWarning(lcNode).noquote() << "ignored a message on" << channel << ":" << error;
        return;
    }
    if (envelope->origin == m_config.nodeId && m_fallbackIds.remove(envelope->id))
        return;
    if (envelope->kind == Envelope::Kind::Event && envelope->payload.startsWith(R"({"type":"presence_joined")"))
        m_presence->roomActive(room);
    if (m_recovery && envelope->offset > 0)
        m_recovery->received(room, *envelope);
    else
        deliver(room, *envelope);
}

void Node::onBrokerStateChanged(Broker::State state)
{
    if (state == Broker::State::Connected) {
        const QStringList rooms = m_registry.rooms();
        qCInfo(lcNode).noquote() << m_config.nodeId << "broker connected; subscribing" << rooms.size() << "rooms";
        for (const QString &room : rooms) {
            for (const QByteArray &channel : m_channels.all(room))
                m_broker->subscribe(channel);
        }
        m_direct->resubscribe();
        m_presence->reconnected();
        if (m_recovery)
            m_recovery->reconnected();
    } else {
        qCInfo(lcNode).noquote() << m_config.nodeId << "broker" << state
                                 << (m_recovery ? "; delivering once the history orders messages again"
                                                : "; delivering locally only");
    }
}

void Node::deliver(const QString &room, const Envelope &envelope, Delivery::Source source)
{
    const QSet<Session *> *members = m_registry.members(room);
    if (!members)
        return;
    const Delivery delivery(room, envelope, source);
    quint64 delivered = 0;
    const bool someoneCatchesUp = m_sessionHistory && m_sessionHistory->isIntercepting();
    for (Session *session : *members) {
        if (!delivery.isFor(session->protocol()))
            continue;
        if (someoneCatchesUp && m_sessionHistory->intercepts(session, room, envelope))
            continue;
        session->deliver(delivery);
        ++delivered;
    }
    m_stats.deliveries += delivered;
    if (source == Delivery::Source::History)
        m_stats.historyDeliveries += delivered;
    if (envelope.kind == Envelope::Kind::Event)
        m_stats.eventDeliveries += delivered;
    emit envelopeDelivered(envelope, delivered);
}

void Node::rememberFallback(quint64 id)
{
    m_fallbackIds.insert(id);
    m_fallbackOrder.push_back(id);
    if (qsizetype(m_fallbackOrder.size()) > MaxRememberedFallbackIds) {
        m_fallbackIds.remove(m_fallbackOrder.front());
        m_fallbackOrder.pop_front();
    }
}

std::function<void()> Node::roundTripTimer()
{
    // The broker is the Node's child and outlives its members: a reply during the Node's
    // destruction finds the guard cleared.
    return [guard = QPointer<Node>(this), started = m_clock.nsecsElapsed()] {
        if (guard)
            guard->m_publishRoundTrip.record(guard->m_clock.nsecsElapsed() - started);
    };
}

quint64 Node::takeMessageId()
{
    const quint64 id = m_nextMessageId;
    m_nextMessageId += std::max<quint64>(1, m_config.messageIdStep);
    return id;
}

}
