#pragma once

#include "broker/broker.h"
#include "broker/history.h"
#include "delivery.h"
#include "envelope/envelope.h"
#include "metrics/latencyhistogram.h"
#include "nodestats.h"
#include "registry/roomregistry.h"
#include "roomchannels.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>

#include <deque>
#include <functional>

namespace fanout {

class DirectMessages;
class RoomPresence;
class RoomRecovery;
class Session;
class SessionHistory;

struct NodeConfig {
    /// The channel of room R is prefix + R; the seed's nodes use this one.
    static inline const QString DefaultChannelPrefix = QStringLiteral("ws:room:");

    QString nodeId;
    QString channelPrefix = DefaultChannelPrefix;
    /// Size 0: plain pub/sub. Otherwise every room is a history (docs/protocol.md).
    HistoryPolicy history;
    /// HS256 secret of client tokens; empty: clients may name themselves, unverified.
    QByteArray tokenSecret;
    /// Direct messages to user U travel on userPrefix + U.
    QString userPrefix = QStringLiteral("ws:user:");
    /// How long a presence entry lives without a refresh (the node refreshes every third).
    int presenceTtlSeconds = 60;
    /// The fleet's online list is `{N}:online` and its events go on `N:updates` (RoomPresence).
    QString presenceNamespace = QStringLiteral("presence");
    /// Channels per room (RoomChannels); 1 keeps the seed's `prefix + room`. A room with a
    /// history is one ordered log, so a node with a history uses 1 whatever this says.
    int shardCount = 1;
    /// Message ids run firstMessageId, firstMessageId + messageIdStep...: the Nodes of one
    /// process's I/O threads share an origin and take turns, so ids stay unique per origin.
    quint64 firstMessageId = 1;
    quint64 messageIdStep = 1;

    /// The defaults, for a node named `nodeId` (with a history when `history` is on).
    static NodeConfig named(const QString &nodeId, const HistoryPolicy &history = {})
    {
        NodeConfig config;
        config.nodeId = nodeId;
        config.history = history;
        return config;
    }
};

/// One fan-out node: a local RoomRegistry composed with a Broker.
///
/// - The first local member of a room subscribes the node to `prefix + room`; the last one
///   leaving unsubscribes it. When the broker (re)connects, every room of the registry is
///   subscribed again.
/// - publish() never writes to local sessions inline: every node, the publisher included,
///   delivers what arrives on its broker subscription, so each member gets each message once.
/// - While the broker is not connected, publish() also delivers to local members at once
///   (local-only fallback) and the broker's offline queue carries the message to other nodes
///   later; the echo of such a message is recognised by its id and not delivered twice.
/// - With a history (NodeConfig::history), order beats liveness: there is no local-only
///   fallback, every message is delivered once the broker has given it its offset, and a
///   RoomRecovery fills every gap from the history (typed members hear history_lost when it
///   cannot).
///
/// Sessions are not owned: detach() a session before destroying it.
class Node : public QObject
{
    Q_OBJECT
public:
    /// Takes ownership of the broker.
    Node(const NodeConfig &config, Broker *broker, QObject *parent = nullptr);
    ~Node() override;

    static bool isValidRoom(const QString &room, QString *error = nullptr);
    static constexpr int MaxRoomLength = 256;

    QString id() const { return m_config.nodeId; }
    QString channelPrefix() const { return m_config.channelPrefix; }
    /// The room's base channel: with one shard, its channel; always the name of its keys.
    QByteArray channelFor(const QString &room) const { return m_channels.base(room); }
    const RoomChannels &channels() const { return m_channels; }
    Broker *broker() const { return m_broker; }
    NodeStats stats() const { return m_stats; }
    /// From publish() to the broker's answer (PUBLISH's reply, or the history script's).
    const LatencyHistogram &publishRoundTrip() const { return m_publishRoundTrip; }
    /// From an envelope's `ts` to its arrival from the broker (clocks of two machines).
    const LatencyHistogram &pubsubLag() const { return m_pubsubLag; }

    void attach(Session *session);
    /// Leaves every room; returns the rooms the session was in.
    QStringList detach(Session *session);
    /// Returns false when the session already was a member.
    bool join(Session *session, const QString &room);
    /// Returns false when the session was not a member.
    bool leave(Session *session, const QString &room);
    bool isMember(Session *session, const QString &room) const;

    /// A session has its user now (Session::user()): it counts in presence and receives
    /// direct messages from here on.
    void authenticate(Session *session);
    /// Direct messages and presence of users (docs/protocol.md).
    void sendDirectMessage(Session *sender, const QString &to, const QByteArray &contentJson);
    void sendPresence(Session *session, const QString &room);
    void sendOnlineUsers(Session *session);
    void watchPresence(Session *session);
    QByteArray tokenSecret() const { return m_config.tokenSecret; }
    /// The channel direct messages to `user` travel on.
    QByteArray userChannelFor(const QString &user) const;
    /// Local connections of a user.
    qsizetype connectionsOf(const QString &user) const { return m_users.memberCount(user); }

    bool hasHistory() const { return m_recovery != nullptr; }
    /// Sends a member the last `count` messages of a room in one `history` frame (empty
    /// without a history).
    void sendLatest(Session *session, const QString &room, qsizetype count);
    /// Answers a member's join with `since`: `joined` with recovered, offset and epoch, then
    /// every message after the position, then live ones (recovered false without a history).
    void recover(Session *session, const QString &room, const StreamPosition &since);
    qsizetype roomCountOf(Session *session) const { return m_registry.roomCountOf(session); }
    QStringList roomsOf(Session *session) const { return m_registry.roomsOf(session); }

    /// Publishes a JSON payload (compact text) to a room on every node; returns its message id.
    quint64 publish(const QString &room, const QByteArray &payloadJson, Envelope::Kind kind = Envelope::Kind::Message,
                    const QString &from = {});

    /// The id the next publish() will carry, so an observer can file the message before any
    /// delivery of it (local-only fallback delivers inside publish()).
    quint64 nextMessageId() const { return m_nextMessageId; }

    qsizetype sessionCount() const { return m_sessions.size(); }
    QStringList rooms() const { return m_registry.rooms(); }
    qsizetype memberCount(const QString &room) const { return m_registry.memberCount(room); }

signals:
    /// A message reached this node's local members: `sessions` frames were handed out.
    void envelopeDelivered(const fanout::Envelope &envelope, quint64 sessions);
    /// A room got its first local member or lost its last one.
    void roomsChanged();
    /// This node published message `id` to room `to` (a direct message: to user `to`), before
    /// any delivery of it, so that an observer can file it first (the simulation's ledger files
    /// what real WebSocket clients publish on a simulated node).
    void published(quint64 id, fanout::Envelope::Kind kind, const QString &to);

private:
    void onBrokerMessage(const QByteArray &channel, const QByteArray &message);
    void onBrokerStateChanged(Broker::State state);
    void deliver(const QString &room, const Envelope &envelope, Delivery::Source source = Delivery::Source::Live);
    void rememberFallback(quint64 id);
    void roomStarted(const QString &room);
    void roomEnded(const QString &room);
    void tellHistoryLost(const QString &room, const StreamPosition &position);
    void userLeft(Session *session);
    quint64 takeMessageId();
    /// A reply callback that records the publish round trip from now.
    std::function<void()> roundTripTimer();

    NodeConfig m_config;
    RoomChannels m_channels;
    Broker *m_broker;
    RoomRegistry m_registry;
    RoomRegistry m_users; ///< user -> its local sessions, kept like rooms
    DirectMessages *m_direct;
    RoomPresence *m_presence;
    QSet<Session *> m_sessions;
    NodeStats m_stats;
    quint64 m_nextMessageId;
    QElapsedTimer m_clock;
    LatencyHistogram m_publishRoundTrip;
    LatencyHistogram m_pubsubLag;
    RoomRecovery *m_recovery = nullptr; ///< only with a history
    QString m_historyOrigin; ///< this process's name in the history's duplicate check
    SessionHistory *m_sessionHistory = nullptr; ///< only with a history
    QSet<quint64> m_fallbackIds;
    std::deque<quint64> m_fallbackOrder;
};

}
