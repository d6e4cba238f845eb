#pragma once

#include "deliveryledger.h"
#include "faulttimeline.h"
#include "session/session.h"

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace fanout {

/// A simulated client: a typed-mode Session with no socket. It speaks to its node through the
/// node's ClientProtocol like any WebSocket client (join frames, message frames), so every rule
/// of the protocol applies to it. It checks each message delivery off in the ledger; when slow
/// it queues them instead and consumes them at a limited rate, and a full queue either drops
/// what arrives or asks to be disconnected. Events (user_joined, user_left) and the protocol's
/// own frames (welcome, acknowledgements, errors) are counted, not accounted.
class VirtualClient : public Session
{
public:
    enum class SlowPolicy {
        Drop,
        Disconnect
    };

    VirtualClient(int index, std::vector<int> rooms, DeliveryLedger &ledger);

    int index() const { return m_index; }
    const std::vector<int> &rooms() const { return m_rooms; }
    int home() const { return m_home; }
    void setHome(int node) { m_home = node; }

    bool isSlow() const { return m_slow; }
    void setSlow(bool slow, SlowPolicy policy, qsizetype queueLimit, double drainPerTick);
    /// Called when a disconnect-policy queue overflows; the owner disconnects the client later
    /// (never from inside a delivery, which runs inside the Node's loop over members).
    void setOverflowHandler(std::function<void(VirtualClient *)> handler) { m_onOverflow = std::move(handler); }
    /// Consumes this tick's share of the slow queue.
    void drain();
    /// Gives up every queued delivery (the client lost its connection).
    void dropQueue(LossCause cause);
    qsizetype queueLength() const { return m_queue ? qsizetype(m_queue->size()) : 0; }
    quint64 slowDrops() const { return m_slowDrops; }

    quint64 eventsReceived() const { return m_events; }
    quint64 errorsReceived() const { return m_errors; }
    /// The last error frame the protocol sent this client, empty when none.
    const QByteArray &lastError() const { return m_lastError; }

    void deliver(const Delivery &delivery) override;
    void sendText(const QByteArray &frame) override;
    void close(int, const QString &) override { }

private:
    int m_index;
    std::vector<int> m_rooms;
    DeliveryLedger &m_ledger;
    int m_home = -1;
    bool m_slow = false;
    bool m_overflowed = false;
    SlowPolicy m_policy = SlowPolicy::Drop;
    qsizetype m_queueLimit = 0;
    double m_drainPerTick = 0;
    double m_drainCarry = 0;
    struct Queued {
        quint64 key;
        DeliveryLedger::Arrival arrival;
    };
    std::unique_ptr<std::deque<Queued>> m_queue; ///< only slow clients have one
    quint64 m_slowDrops = 0;
    quint64 m_events = 0;
    quint64 m_errors = 0;
    QByteArray m_lastError;
    std::function<void(VirtualClient *)> m_onOverflow;
};

}
