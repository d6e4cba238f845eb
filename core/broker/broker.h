#pragma once

#include "presence.h"
#include "publishqueue.h"

#include <QByteArray>
#include <QObject>
#include <QSet>

namespace fanout {

/// Counters every broker keeps about its own connection.
struct BrokerStats {
    quint64 published = 0; ///< PUBLISH commands handed to the server
    quint64 publishesQueued = 0; ///< publishes parked while disconnected or waiting for a subscription
    quint64 publishesDropped = 0; ///< publishes lost because the offline queue was full
    quint64 messagesReceived = 0; ///< messages that arrived on subscribed channels
    quint64 bytesReceived = 0; ///< their size, the bus egress towards this node
    quint64 reconnects = 0; ///< times the connection came back after a loss

    BrokerStats &operator+=(const BrokerStats &other)
    {
        published += other.published;
        publishesQueued += other.publishesQueued;
        publishesDropped += other.publishesDropped;
        messagesReceived += other.messagesReceived;
        bytesReceived += other.bytesReceived;
        reconnects += other.reconnects;
        return *this;
    }
    BrokerStats &operator-=(const BrokerStats &other)
    {
        published -= other.published;
        publishesQueued -= other.publishesQueued;
        publishesDropped -= other.publishesDropped;
        messagesReceived -= other.messagesReceived;
        bytesReceived -= other.bytesReceived;
        reconnects -= other.reconnects;
        return *this;
    }
};

/// A node's connection to a pub/sub bus with Redis semantics.
///
/// Contract, shared by every implementation:
/// - Fire-and-forget, at most once: a message reaches only connections subscribed when it is
///   published; nothing is replayed.
/// - Messages of one channel arrive in publish order; messageReceived is always emitted from the
///   event loop, never from inside publish().
/// - subscribe()/unsubscribe() act only while state() is Connected; otherwise they are ignored,
///   because the server forgets subscriptions with the connection. When the state becomes
///   Connected again, the subscription set is empty and the owner re-derives it from its own
///   registry (Node does this from its RoomRegistry).
/// - publish() while not connected (still connecting, or lost) parks the message in a bounded
///   queue sent in order once connected; when the queue is full the oldest entry is dropped and
///   counted.
/// - History (history.h): publishToHistory() gives a message the room's next offset, stores it
///   and publishes it with its offset and epoch, in one atomic step; the same (origin, id) sent
///   twice is stored once and answered with its first position; it is parked like publish()
///   while not connected. readHistory() answers from the stored entries, or with ok false
///   while not connected (the owner reads again once reconnected).
/// - Presence (presence.h): changePresence() carries out a PresenceChange in one atomic step,
///   publishing its events; while not connected it is dropped (the owner joins its entries
///   again once reconnected). Where the events cannot be published inside that step (on a
///   Cluster) they go through publish(), parked and held like any message. readPresence()
///   answers ok false while not connected.
class Broker : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Disconnected,
        Connecting,
        Connected
    };
    Q_ENUM(State)

    using QObject::QObject;

    virtual State state() const = 0;
    virtual void subscribe(const QByteArray &channel) = 0;
    virtual void unsubscribe(const QByteArray &channel) = 0;
    virtual void publish(const QByteArray &channel, const QByteArray &message, PublishReply reply = {}) = 0;
    /// Publishes `envelope` (a JSON object, without offset and epoch) into the channel's history.
    virtual void publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) = 0;
    /// Reads the channel's history; the reply comes from the event loop, never from inside.
    virtual void readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply) = 0;
    /// `ttlMs`: how long an entry lives without a refresh (the keys' lifetime derives from it).
    /// The reply (from the event loop) says how many entries the set still holds.
    virtual void changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply = {}) = 0;
    /// Reads a presence set's live entries; the reply comes from the event loop.
    virtual void readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply) = 0;
    /// A fault hook, not part of running a node: cuts (false) or heals (true) this connection
    /// only, as a network partition between one node and the server would. Messages in flight
    /// are lost and nothing reconnects until healed. The simulation and the tests use it;
    /// fanout-node never calls it.
    virtual void setLinkUp(bool up) = 0;
    virtual bool isLinkUp() const = 0;

    /// Channels this connection is subscribed to on the server right now.
    QSet<QByteArray> subscriptions() const { return m_subscriptions; }
    /// Subscriptions sent but not yet confirmed by the server; messages published before the
    /// confirmation may not arrive.
    qsizetype pendingSubscribes() const { return m_pendingSubscribes; }
    BrokerStats stats() const { return m_stats; }
    void setOfflineQueueCapacity(qsizetype capacity) { m_offlineQueue.setCapacity(capacity); }
    qsizetype offlineQueueDepth() const { return m_offlineQueue.size(); }

signals:
    void messageReceived(const QByteArray &channel, const QByteArray &message);
    void stateChanged(fanout::Broker::State state);

protected:
    /// Leaving Connected forgets every subscription, as the server does with the connection;
    /// coming back to Connected after a loss counts a reconnect.
    void setState(State state);
    State currentState() const { return m_state; }

    bool isSubscribed(const QByteArray &channel) const { return m_subscriptions.contains(channel); }
    /// A subscription the server holds as soon as it is asked for.
    void addSubscription(const QByteArray &channel) { m_subscriptions.insert(channel); }
    /// A SUBSCRIBE sent, counted as pending until subscribeConfirmed().
    void subscribeSent(const QByteArray &channel);
    /// Calls subscriptionsSettled() when it confirms the last pending one.
    void subscribeConfirmed();
    /// Every SUBSCRIBE sent so far is confirmed.
    virtual void subscriptionsSettled() { }
    /// Returns whether the channel was subscribed.
    bool removeSubscription(const QByteArray &channel) { return m_subscriptions.remove(channel); }

    void countPublished() { ++m_stats.published; }
    void countReceived(qsizetype bytes);

    /// Parks a publish made while not connected, counting it and any entry dropped for room.
    void queueOffline(const QByteArray &channel, const QByteArray &message, PublishReply reply);
    void queueOffline(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append);
    bool hasParkedPublishes() const { return m_offlineQueue.size() > 0; }
    /// Whether the offline queue may hold anything at all (its capacity may be 0).
    bool canParkPublishes() const { return m_offlineQueue.capacity() > 0; }
    /// Empties the offline queue, oldest first, through sendPublish() and sendToHistory(), once
    /// connected; until then the queue keeps them.
    void sendParkedPublishes();
    /// Sends a publish now, past the offline queue: the caller keeps the order.
    virtual void sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply) = 0;
    virtual void sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) = 0;

private:
    State m_state = State::Disconnected;
    bool m_everConnected = false;
    QSet<QByteArray> m_subscriptions;
    qsizetype m_pendingSubscribes = 0;
    BrokerStats m_stats;
    PublishQueue m_offlineQueue;
};

}
