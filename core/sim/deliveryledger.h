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
#include <optional>

namespace fanout {

struct Envelope;

/// Exact accounting of simulated messages. Each publish opens a record holding the room's
/// members at publish time (the expected deliveries); each delivery is checked off once
/// (a second one is a duplicate); when a record is settled, every member not reached is lost
/// and blamed on a cause through the FaultTimeline. Finished records become traces.
///
/// A delivery is on time, or recovered: read back from a room's history to fill a gap, or
/// arriving after its message was settled (a history read or a parked publish that took longer
/// than the settle window). A late arrival takes its member out of the lost count again, so
/// `lost` is what never arrived and `recovered` what arrived only thanks to recovery.
class DeliveryLedger
{
public:
    struct Totals {
        quint64 published = 0;
        quint64 expected = 0;
        quint64 delivered = 0; ///< on time and recovered
        quint64 recovered = 0; ///< of those, from a history read or after being settled as lost
        quint64 duplicates = 0;
        quint64 lost = 0;
        std::array<quint64, LossCauseCount> lostByCause {};
        /// Deliveries of a settled message to a member not counted lost: a duplicate, or a
        /// loss older than the ledger remembers (MaxRememberedLosses).
        quint64 lateDeliveries = 0;
        quint64 foreignDeliveries = 0; ///< of messages the simulation did not publish
        quint64 open = 0; ///< records not settled yet

        quint64 onTime() const { return delivered - recovered; }
    };

    /// A trace lists at most this many sessions; its counts cover them all.
    static constexpr size_t MaxTracedSessions = 100;
    /// Settled losses remembered so that a late arrival can take them back (members, and the
    /// messages they belong to); older ones stay lost.
    static constexpr size_t MaxRememberedLosses = 1'000'000;
    static constexpr size_t MaxRememberedLossMessages = 100'000;

    /// How a delivery reached its client.
    enum class Arrival {
        Live,
        FromHistory ///< read back from the room's history (Delivery::Source::History)
    };

    DeliveryLedger(const FaultTimeline &timeline, TraceBuffer &traces);

    void resizeClients(int clients);
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }

    /// Makes a node incarnation's envelopes recognisable; returns its origin serial.
    int registerOrigin(const QString &origin, int node);
    /// The key of an envelope, 0 when its origin is unknown.
    quint64 keyOf(const Envelope &envelope);
    static quint64 makeKey(int originSerial, quint64 id) { return (quint64(originSerial) << 40) | id; }

    /// `sequence`: the sender's count of its publishes (0 for a publish the simulation did not make).
    void recordPublish(quint64 key, int publisherNode, int sender, const QString &origin, quint64 id,
                       const QByteArray &channel, const QList<int> &members, qint64 tick, double simSeconds,
                       quint64 sequence = 0);
    void nodeReceived(quint64 key, int node, const QString &nodeId, quint64 sessions);
    /// Takes back the latest record, of a message the node's protocol refused to publish.
    void withdraw(quint64 key);
    /// `fromQueue`: the delivery had been held in a slow client's queue (see queued()).
    void delivered(quint64 key, int client, qint64 atNs, Arrival arrival = Arrival::Live, bool fromQueue = false);
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
    /// The members of one settled message that were counted lost, by ascending client.
    struct SettledLoss {
        struct Member {
            int client;
            LossCause cause;
            bool recovered;
        };
        quint64 key = 0;
        qint64 publishedNs = 0;
        std::vector<Member> members;
    };

    Record *find(quint64 key);
    /// A late arrival of a settled message: its publish time when it took a counted loss back.
    std::optional<qint64> recoverSettled(quint64 key, int client);
    void rememberLosses(SettledLoss loss);
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
    std::deque<SettledLoss> m_settledLosses;
    qint64 m_firstLossSeq = 0;
    QHash<quint64, qint64> m_lossSeqByKey;
    size_t m_rememberedLosses = 0;
    Totals m_totals;
    LatencyHistogram m_latency;
    std::vector<quint64> m_clientDelivered;
    std::vector<quint64> m_clientLost;
};

}
