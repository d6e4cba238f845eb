#include "virtualclient.h"

#include "deliveryledger.h"
#include "node/clientprotocol.h"
#include "node/delivery.h"

namespace fanout {

VirtualClient::VirtualClient(int index, std::vector<int> rooms, DeliveryLedger &ledger)
    : Session(QStringLiteral("v%1").arg(index), SessionProtocol::Typed), m_index(index), m_rooms(std::move(rooms)),
      m_ledger(ledger)
{ }

void VirtualClient::setSlow(bool slow, SlowPolicy policy, qsizetype queueLimit, double drainPerTick)
{
    m_slow = slow;
    m_policy = policy;
    m_queueLimit = queueLimit;
    m_drainPerTick = drainPerTick;
    if (slow && !m_queue)
        m_queue = std::make_unique<std::deque<Queued>>();
    if (!slow && m_queue) {
        const qint64 now = m_ledger.nowNs();
        for (const Queued &queued : *m_queue)
            m_ledger.delivered(queued.key, m_index, now, queued.arrival, true);
        m_queue.reset();
        m_overflowed = false;
    }
}

void VirtualClient::sendText(const QByteArray &frame)
{
    if (ClientProtocol::isErrorFrame(frame)) {
        ++m_errors;
        m_lastError = frame;
    }
}

void VirtualClient::deliver(const Delivery &delivery)
{
    if (delivery.envelope().kind == Envelope::Kind::Event) {
        ++m_events;
        return;
    }
    const quint64 key = m_ledger.keyOf(delivery.envelope());
    const auto arrival = delivery.source() == Delivery::Source::History ? DeliveryLedger::Arrival::FromHistory
                                                                        : DeliveryLedger::Arrival::Live;
    if (!m_slow) {
        m_ledger.delivered(key, m_index, m_ledger.nowNs(), arrival);
        return;
    }
    if (m_overflowed || queueLength() >= m_queueLimit) {
        m_ledger.dropped(key, m_index, LossCause::SlowClient);
        ++m_slowDrops;
        if (m_policy == SlowPolicy::Disconnect && !m_overflowed) {
            m_overflowed = true;
            if (m_onOverflow)
                m_onOverflow(this);
        }
        return;
    }
    m_queue->push_back({key, arrival});
    m_ledger.queued(key);
}

void VirtualClient::drain()
{
    if (!m_queue || m_queue->empty())
        return;
    m_drainCarry += m_drainPerTick;
    const qint64 now = m_ledger.nowNs();
    while (m_drainCarry >= 1.0 - 1e-9 && !m_queue->empty()) {
        m_ledger.delivered(m_queue->front().key, m_index, now, m_queue->front().arrival, true);
        m_queue->pop_front();
        m_drainCarry -= 1.0;
    }
    if (m_queue->empty())
        m_drainCarry = 0;
}

void VirtualClient::dropQueue(LossCause cause)
{
    if (m_queue) {
        for (const Queued &queued : std::exchange(*m_queue, {}))
            m_ledger.dropped(queued.key, m_index, cause, true);
    }
    m_overflowed = false;
}

}
