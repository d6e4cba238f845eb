#include "deliveryledger.h"

#include "envelope/envelope.h"

#include <algorithm>

namespace fanout {

DeliveryLedger::DeliveryLedger(const FaultTimeline &timeline, TraceBuffer &traces)
    : m_timeline(timeline), m_traces(traces)
{
    m_clock.start();
    m_originNodes.push_back(-1); // serial 0 means "unknown"
}

void DeliveryLedger::resizeClients(int clients)
{
    m_clientDelivered.resize(size_t(clients));
    m_clientLost.resize(size_t(clients));
}

int DeliveryLedger::registerOrigin(const QString &origin, int node)
{
    const int serial = int(m_originNodes.size());
    m_originNodes.push_back(node);
    m_originSerials.insert(origin, serial);
    return serial;
}

quint64 DeliveryLedger::keyOf(const Envelope &envelope)
{
    // One decoded envelope is handed to every local member in turn: remember the last origin
    // so the hash is looked up once per node and message, not once per session.
    if (envelope.origin != m_lastOrigin) {
        m_lastOriginSerial = m_originSerials.value(envelope.origin, 0);
        m_lastOrigin = envelope.origin;
    }
    return m_lastOriginSerial == 0 ? 0 : makeKey(m_lastOriginSerial, envelope.id);
}

void DeliveryLedger::recordPublish(quint64 key, int publisherNode, int sender, const QString &origin, quint64 id,
                                   const QByteArray &channel, const QList<int> &members, qint64 tick, double simSeconds,
                                   quint64 sequence)
{
    Record &record = m_records.emplace_back();
    record.key = key;
    record.publisher = publisherNode;
    record.tick = tick;
    record.members = members;
    record.reached.assign(size_t((members.size() + 63) / 64), 0);
    record.trace.key = key;
    record.trace.origin = origin;
    record.trace.id = id;
    record.trace.channel = channel;
    record.trace.sender = sender;
    record.trace.sequence = sequence;
    record.trace.publishedNs = nowNs();
    record.trace.publishedAt = simSeconds;
    record.trace.expected = quint64(members.size());
    m_seqByKey.insert(key, m_firstSeq + qint64(m_records.size()) - 1);
    ++m_totals.published;
    m_totals.expected += quint64(members.size());
}

void DeliveryLedger::withdraw(quint64 key)
{
    if (m_records.empty() || m_records.back().key != key)
        return;
    m_totals.expected -= quint64(m_records.back().members.size());
    --m_totals.published;
    m_seqByKey.remove(key);
    m_records.pop_back();
}

DeliveryLedger::Record *DeliveryLedger::find(quint64 key)
{
    const auto it = m_seqByKey.constFind(key);
    if (it == m_seqByKey.cend())
        return nullptr;
    return &m_records[size_t(it.value() - m_firstSeq)];
}

bool DeliveryLedger::markReached(Record &record, int client, bool *isMember)
{
    const auto position = std::lower_bound(record.members.cbegin(), record.members.cend(), client);
    *isMember = position != record.members.cend() && *position == client;
    if (!*isMember)
        return false;
    const auto index = size_t(position - record.members.cbegin());
    quint64 &word = record.reached[index / 64];
    const quint64 bit = quint64(1) << (index % 64);
    if (word & bit)
        return false;
    word |= bit;
    return true;
}

void DeliveryLedger::nodeReceived(quint64 key, int node, const QString &nodeId, quint64 sessions)
{
    if (Record *record = find(key))
        record->trace.nodes.push_back({node, nodeId, nowNs(), sessions});
}

void DeliveryLedger::queued(quint64 key)
{
    if (Record *record = key ? find(key) : nullptr)
        ++record->queued;
}

void DeliveryLedger::unqueue(Record *record, bool fromQueue)
{
    if (record && fromQueue && record->queued > 0)
        --record->queued;
}

void DeliveryLedger::delivered(quint64 key, int client, qint64 atNs, Arrival arrival, bool fromQueue)
{
    Record *record = key ? find(key) : nullptr;
    unqueue(record, fromQueue);
    if (!record) {
        if (!key || (key >> 40) >= m_originNodes.size())
            ++m_totals.foreignDeliveries;
        else if (const std::optional<qint64> publishedNs = recoverSettled(key, client))
            m_latency.record(atNs - *publishedNs);
        else
            ++m_totals.lateDeliveries;
        return;
    }
    bool isMember = false;
    if (!markReached(*record, client, &isMember)) {
        if (isMember)
            ++m_totals.duplicates;
        else
            ++m_totals.foreignDeliveries;
        return;
    }
    ++record->delivered;
    ++m_totals.delivered;
    if (arrival == Arrival::FromHistory)
        ++m_totals.recovered;
    ++m_clientDelivered[size_t(client)];
    m_latency.record(atNs - record->trace.publishedNs);
    if (record->trace.sessions.size() < MaxTracedSessions)
        record->trace.sessions.push_back({client, atNs});
}

std::optional<qint64> DeliveryLedger::recoverSettled(quint64 key, int client)
{
    const auto it = m_lossSeqByKey.constFind(key);
    if (it == m_lossSeqByKey.cend())
        return std::nullopt;
    SettledLoss &loss = m_settledLosses[size_t(it.value() - m_firstLossSeq)];
    const auto member = std::lower_bound(loss.members.begin(), loss.members.end(), client,
                                         [](const SettledLoss::Member &m, int c) { return m.client < c; });
    if (member == loss.members.end() || member->client != client || member->recovered)
        return std::nullopt;
    member->recovered = true;
    --m_totals.lost;
    --m_totals.lostByCause[size_t(member->cause)];
    --m_clientLost[size_t(client)];
    ++m_totals.delivered;
    ++m_totals.recovered;
    ++m_clientDelivered[size_t(client)];
    return loss.publishedNs;
}

void DeliveryLedger::rememberLosses(SettledLoss loss)
{
    m_rememberedLosses += loss.members.size();
    m_lossSeqByKey.insert(loss.key, m_firstLossSeq + qint64(m_settledLosses.size()));
    m_settledLosses.push_back(std::move(loss));
    while (m_rememberedLosses > MaxRememberedLosses || m_settledLosses.size() > MaxRememberedLossMessages) {
        m_rememberedLosses -= m_settledLosses.front().members.size();
        m_lossSeqByKey.remove(m_settledLosses.front().key);
        m_settledLosses.pop_front();
        ++m_firstLossSeq;
    }
}

void DeliveryLedger::dropped(quint64 key, int client, LossCause cause, bool fromQueue)
{
    Record *record = key ? find(key) : nullptr;
    unqueue(record, fromQueue);
    bool isMember = false;
    if (!record || !markReached(*record, client, &isMember))
        return;
    ++record->dropped;
    ++m_totals.lost;
    ++m_totals.lostByCause[size_t(cause)];
    ++m_clientLost[size_t(client)];
}

void DeliveryLedger::settle(qint64 tick, qint64 settleTicks)
{
    while (!m_records.empty()) {
        const Record &front = m_records.front();
        const bool complete = front.delivered + front.dropped == quint32(front.members.size());
        if (!complete && (front.tick + settleTicks > tick || front.queued > 0))
            break;
        settleFront(tick);
    }
}

void DeliveryLedger::settleAll(qint64 tick)
{
    while (!m_records.empty())
        settleFront(tick);
}

void DeliveryLedger::settleFront(qint64 finalTick)
{
    Record &record = m_records.front();
    quint64 lost = record.dropped;
    if (record.delivered + record.dropped < quint32(record.members.size())) {
        SettledLoss unreached {record.key, record.trace.publishedNs, {}};
        for (qsizetype i = 0; i < record.members.size(); ++i) {
            if (record.reached[size_t(i / 64)] & (quint64(1) << (i % 64)))
                continue;
            const int client = record.members.at(i);
            const LossCause cause = m_timeline.blame(client, record.publisher, record.tick, finalTick);
            ++m_totals.lost;
            ++m_totals.lostByCause[size_t(cause)];
            ++m_clientLost[size_t(client)];
            ++lost;
            unreached.members.push_back({client, cause, false});
        }
        rememberLosses(std::move(unreached));
    }
    record.trace.delivered = record.delivered;
    record.trace.lost = lost;
    m_traces.append(std::move(record.trace));
    m_seqByKey.remove(record.key);
    m_records.pop_front();
    ++m_firstSeq;
}

DeliveryLedger::Totals DeliveryLedger::totals() const
{
    Totals totals = m_totals;
    totals.open = quint64(m_records.size());
    return totals;
}

}
