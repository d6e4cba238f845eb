#pragma once

#include "publishqueue.h"

#include <QByteArray>
#include <QObject>
#include <QSet>

namespace fanout {

/// Counters every broker keeps about its own connection.
struct BrokerStats {
    quint64 published = 0;        ///< PUBLISH commands handed to the server
    quint64 publishesQueued = 0;  ///< publishes parked while disconnected (later sent or dropped)
    quint64 publishesDropped = 0; ///< publishes lost because the offline queue was full
    quint64 messagesReceived = 0; ///< messages that arrived on subscribed channels
    quint64 bytesReceived = 0;    ///< their size, the bus egress towards this node
    quint64 reconnects = 0;       ///< times the connection came back after a loss

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
/// - publish() while disconnected parks the message in a bounded queue sent in order on reconnect;
///   when the queue is full the oldest entry is dropped and counted.
class Broker : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    using QObject::QObject;

    virtual State state() const = 0;
    virtual void subscribe(const QByteArray &channel) = 0;
    virtual void unsubscribe(const QByteArray &channel) = 0;
    virtual void publish(const QByteArray &channel, const QByteArray &message,
                         PublishReply reply = {}) = 0;
    /// Cuts (false) or heals (true) this connection only, as a network partition between the
    /// node and the server would: messages in flight are lost, nothing reconnects until healed.
    virtual void setLinkUp(bool up) = 0;
    virtual bool isLinkUp() const = 0;

    /// Channels this connection is subscribed to on the server right now.
    QSet<QByteArray> subscriptions() const { return m_subscriptions; }
    /// Subscriptions sent but not yet confirmed by the server; messages published before the
    /// confirmation may not arrive.
    qsizetype pendingSubscribes() const { return m_pendingSubscribes; }
    BrokerStats stats() const { return m_stats; }
    void setOfflineQueueCapacity(qsizetype capacity) { m_offlineQueue.setCapacity(capacity); }

signals:
    void messageReceived(const QByteArray &channel, const QByteArray &message);
    void stateChanged(fanout::Broker::State state);

protected:
    void setState(State state);
    State currentState() const { return m_state; }
    /// Parks a publish made while disconnected, counting it and any entry dropped for room.
    void queueOffline(const QByteArray &channel, const QByteArray &message, PublishReply reply);

    QSet<QByteArray> m_subscriptions;
    BrokerStats m_stats;
    PublishQueue m_offlineQueue;
    qsizetype m_pendingSubscribes = 0;

private:
    State m_state = State::Disconnected;
};

}
