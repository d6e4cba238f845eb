#pragma once

#include "faulttimeline.h"
#include "messagetrace.h"
#include "metrics/latencyhistogram.h"
#include "tracebuffer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>

#include <array>
#include <deque>

namespace fanout {

struct Envelope;

/// Exact accounting of simulated messages. Each publish opens a record holding the room's
/// members at publish time (the expected deliveries); each delivery is checked off once
/// (a second one is a duplicate); when a record is settled, every member not reached is lost
/// and blamed on a cause through the FaultTimeline. Finished records become traces.
class DeliveryLedger
{
public:
    struct Totals {
        quint64 published = 0;
        quint64 expected = 0;
        quint64 delivered = 0;
        quint64 duplicates = 0;
        quint64 lost = 0;
        std::array<quint64, LossCauseCount> lostByCause {};
        quint64 lateDeliveries = 0; ///< for a message already settled and counted lost
        quint64 foreignDeliveries = 0; ///< of messages the simulation did not publish
        quint64 open = 0; ///< records not settled yet
    };

    /// A trace lists at most this many sessions; its counts cover them all.
    static constexpr size_t MaxTracedSessions = 100;

    DeliveryLedger(const FaultTimeline &timeline, TraceBuffer &traces);

    void resizeClients(int clients);
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }

    /// Makes a node incarnation's envelopes recognisable; returns its origin serial.
    int registerOrigin(const QString &origin, int node);
    /// The key of an envelope, 0 when its origin is unknown.
    quint64 keyOf(const Envelope &envelope);
    static quint64 makeKey(int originSerial, quint64 id) { return (quint64(originSerial) << 40) | id; }

    void recordPublish(quint64 key, int publisherNode, int sender, const QString &origin, quint64 id,
                       const QByteArray &channel, const QList<int> &members, qint64 tick, double simSeconds);
    void nodeReceived(quint64 key, int node, quint64 sessions);
    /// Takes back the latest record, of a message the node's protocol refused to publish.
    void withdraw(quint64 key);
    /// `fromQueue`: the delivery had been held in a slow client's queue (see queued()).
    void delivered(quint64 key, int client, qint64 atNs, bool fromQueue = false);
    /// A delivery given up on purpose (a slow client's queue overflowed, or its node died with
    /// messages still queued).
    void dropped(quint64 key, int client, LossCause cause, bool fromQueue = false);
    /// A slow client holds the message in its queue: the record is not settled before the
    /// client consumes or drops it, however long that takes (queue limit / drain rate).
    void queued(quint64 key);

    /// Settles records published at or before `tick - settleTicks` that no slow client still
    /// holds, and complete ones, in publish order.
    void settle(qint64 tick, qint64 settleTicks);
    void settleAll(qint64 tick);

    Totals totals() const;
    const LatencyHistogram &latency() const { return m_latency; }
    quint64 deliveredTo(int client) const { return m_clientDelivered[size_t(client)]; }
    quint64 lostBy(int client) const { return m_clientLost[size_t(client)]; }

private:
    struct Record {
        quint64 key = 0;
        int publisher = -1;
        qint64 tick = 0;
        QList<int> members;
        std::vector<quint64> reached;
        quint32 delivered = 0;
        quint32 dropped = 0;
        quint32 queued = 0;
        MessageTrace trace;
    };
    Record *find(quint64 key);
    /// Marks member `client` reached; false if it already was (or is not a member).
    bool markReached(Record &record, int client, bool *isMember);
    void settleFront(qint64 finalTick);
    void unqueue(Record *record, bool fromQueue);

    const FaultTimeline &m_timeline;
    TraceBuffer &m_traces;
    QElapsedTimer m_clock;
    QHash<QString, int> m_originSerials;
    std::vector<int> m_originNodes;
    QString m_lastOrigin;
    int m_lastOriginSerial = 0;
    std::deque<Record> m_records;
    qint64 m_firstSeq = 0;
    QHash<quint64, qint64> m_seqByKey;
    Totals m_totals;
    LatencyHistogram m_latency;
    std::vector<quint64> m_clientDelivered;
    std::vector<quint64> m_clientLost;
};

}
