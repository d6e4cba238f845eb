#pragma once

#include "metrics/latencyhistogram.h"

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <functional>

namespace fanout {

class RedisBackedBroker;
struct NodeRecord;

/// Keeps this node's NodeRecord in Redis: every NodeRecord::RefreshMs, and shortly after its set
/// of rooms changes, on the broker's publish connection (no extra connection). withdraw()
/// removes it when the node stops cleanly, so only crashed nodes show as vanished.
class NodeRecordPublisher : public QObject
{
    Q_OBJECT
public:
    /// What the record says of the node's clients, read when it is written.
    struct Clients {
        QStringList rooms;
        qsizetype sessions = 0;
        /// Counters since the node started, for the rolling summary (NodeRecord::RateWindowMs).
        quint64 published = 0;
        quint64 received = 0;
        quint64 delivered = 0;
        LatencyHistogram pubsubLag;
    };
    struct Identity {
        QString nodeId;
        QString channelPrefix;
        QString address;
        QString version;
    };

    NodeRecordPublisher(const Identity &identity, RedisBackedBroker *broker, std::function<Clients()> clients,
                        QObject *parent = nullptr);

    /// The set of rooms changed: the record is written shortly.
    void roomsChanged();
    void withdraw();

private:
    void publish();
    /// Fills the record's rates and lag from `clients` and the samples of the last window.
    void summarize(const Clients &clients, qint64 nowMs, NodeRecord *record);

    Identity m_identity;
    RedisBackedBroker *m_broker;
    std::function<Clients()> m_clients;
    struct Sample {
        qint64 atMs;
        Clients clients;
    };
    std::deque<Sample> m_samples; ///< oldest first, the last RateWindowMs
    qint64 m_startedMs;
    QTimer m_refresh;
    QTimer m_debounce;
    bool m_withdrawn = false;
};

}
