#pragma once

#include "inprocesshistory.h"
#include "inprocesspresence.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>

#include <vector>

namespace fanout {

class InProcessBroker;

/// Traffic counters of the in-process bus, the equivalent of Redis's own pub/sub statistics.
struct BusStats {
    quint64 publishes = 0; ///< PUBLISH commands accepted
    quint64 deliveries = 0; ///< messages handed to subscribed connections (the amplification)
    quint64 bytesIn = 0; ///< payload bytes published
    quint64 bytesOut = 0; ///< payload bytes delivered to subscribers (bus egress)
};

/// An in-process pub/sub server with Redis semantics, shared by the nodes of one process.
/// Each node talks to it through its own InProcessBroker, so one connection can be cut
/// (setLinkUp on the broker) or the whole server taken down (setUp here). Going down forgets
/// every subscription, as a Redis restart does; histories and presence stay, as on a Redis
/// that persists. Lives on one thread.
class InProcessBus : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~InProcessBus() override;

    bool isUp() const { return m_up; }
    void setUp(bool up);

    /// PUBLISH: queues the message to every subscribed connection; returns their number,
    /// or -1 while the bus is down.
    qint64 publish(const QByteArray &channel, const QByteArray &message);
    /// Stores the envelope in the channel's history and publishes it with its offset and epoch
    /// (a duplicate is answered with its first position and not published again); nothing
    /// while the bus is down.
    std::optional<StreamPosition> publishToHistory(const QByteArray &channel, const QByteArray &envelope,
                                                   const HistoryAppend &append);
    /// The channel's history; ok is false while the bus is down.
    HistoryRead readHistory(const QByteArray &channel, const HistoryQuery &query) const;
    /// Carries out a presence change and publishes its events; returns the entries the set still
    /// holds, or -1 while the bus is down (nothing is done).
    qint64 changePresence(const PresenceChange &change);
    /// A presence set's live entries; ok is false while the bus is down.
    PresenceRead readPresence(const QByteArray &set, qint64 nowMs) const;
    /// PUBSUB CHANNELS pattern: channels with at least one subscriber, sorted.
    QList<QByteArray> channels(QByteArrayView pattern = "*") const;
    /// PUBSUB NUMSUB channel.
    qint64 numsub(const QByteArray &channel) const;
    /// The connections currently attached and up, as CLIENT LIST would show them.
    QList<const InProcessBroker *> connectedClients() const;
    /// CLIENT KILL of the connection named `name`: it loses its subscriptions and what was on
    /// its way to it, and reconnects after RedisConnection's first backoff, as a RedisBroker
    /// does. False when no connection has that name.
    bool killClient(const QString &name);

    BusStats stats() const { return m_stats; }

signals:
    void upChanged(bool up);

private:
    friend class InProcessBroker;
    void attach(InProcessBroker *connection);
    void detach(InProcessBroker *connection);
    void addSubscription(InProcessBroker *connection, const QByteArray &channel);
    void removeSubscription(InProcessBroker *connection, const QByteArray &channel);

    bool m_up = true;
    std::vector<InProcessBroker *> m_connections;
    QHash<QByteArray, std::vector<InProcessBroker *>> m_channels;
    BusStats m_stats;
    InProcessHistory m_history;
    InProcessPresence m_presence;
};

}
