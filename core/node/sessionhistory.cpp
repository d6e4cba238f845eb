#include "sessionhistory.h"

#include "broker/broker.h"
#include "delivery.h"
#include "envelope/jsontext.h"
#include "session/session.h"

namespace fanout {

namespace {

QByteArray positionFields(const StreamPosition &position)
{
    return R"(,"offset":)" + QByteArray::number(position.offset) + R"(,"epoch":)" + JsonText::quote(position.epoch);
}

}

SessionHistory::SessionHistory(Broker *broker, HistoryPolicy policy, ChannelOf channelOf, QObject *parent)
    : QObject(parent), m_broker(broker), m_policy(policy), m_channelOf(std::move(channelOf))
{ }

void SessionHistory::sendLatest(Session *session, const QString &room, qsizetype count)
{
    const Key key {session, room};
    m_waiting.insert(key, {});
    readLatest(key, std::min({count, MaxLatest, qsizetype(m_policy.size)}));
}

void SessionHistory::readLatest(const Key &key, qsizetype count)
{
    m_broker->readHistory(m_channelOf(key.second), HistoryQuery::last(count), [this, key](const HistoryRead &read) {
        if (!m_waiting.contains(key))
            return;
        QByteArray frame = R"({"type":"history","room":)" + JsonText::quote(key.second) + R"(,"messages":[)";
        for (size_t i = 0; i < read.entries.size(); ++i) {
            const std::optional<Envelope> envelope = Envelope::decode(read.entries[i].message);
            if (!envelope)
                continue;
            frame += (i ? "," : "") + Delivery(key.second, *envelope).frame(SessionProtocol::Typed);
        }
        frame += ']' + positionFields(read.top) + '}';
        key.first->sendText(frame);
        m_waiting[key].replayedTo = read.top.offset;
        release(key);
    });
}

void SessionHistory::recover(Session *session, const QString &room, const StreamPosition &since)
{
    const Key key {session, room};
    m_waiting.insert(key, {});
    readSince(key, since, since.offset, false);
}

void SessionHistory::readSince(const Key &key, const StreamPosition &since, quint64 after, bool answered)
{
    const HistoryQuery query = HistoryQuery::since(after, ReadBatch);
    m_broker->readHistory(m_channelOf(key.second), query, [this, key, since, answered](const HistoryRead &read) {
        if (!m_waiting.contains(key))
            return;
        if (!answered) {
            const quint64 firstHeld = read.entries.empty() ? read.top.offset + 1 : read.entries.front().offset;
            const bool recovered = read.ok && read.top.epoch == since.epoch && firstHeld == since.offset + 1
                && since.offset <= read.top.offset;
            key.first->sendText(R"({"type":"joined","room":)" + JsonText::quote(key.second) + R"(,"recovered":)"
                                + (recovered ? "true" : "false") + positionFields(read.top) + '}');
            if (!recovered) {
                m_waiting[key].replayedTo = read.top.offset;
                release(key);
                return;
            }
        }
        replay(key, read);
        const quint64 last = m_waiting[key].replayedTo;
        if (qsizetype(read.entries.size()) == ReadBatch && last < read.top.offset)
            readSince(key, since, last, true);
        else
            release(key);
    });
}

void SessionHistory::replay(const Key &key, const HistoryRead &read)
{
    Waiting &waiting = m_waiting[key];
    for (const HistoryEntry &entry : read.entries) {
        const std::optional<Envelope> envelope = Envelope::decode(entry.message);
        if (!envelope)
            continue;
        key.first->deliver(Delivery(key.second, *envelope));
        waiting.replayedTo = entry.offset;
    }
}

void SessionHistory::release(const Key &key)
{
    const Waiting waiting = m_waiting.take(key);
    quint64 deliveredTo = waiting.replayedTo;
    for (const Envelope &envelope : waiting.held) {
        if (envelope.offset != 0 && envelope.offset <= deliveredTo)
            continue;
        key.first->deliver(Delivery(key.second, envelope));
        deliveredTo = std::max(deliveredTo, envelope.offset);
    }
    m_replayedTo.insert(key, deliveredTo);
}

bool SessionHistory::intercepts(Session *session, const QString &room, const Envelope &envelope)
{
    const Key key {session, room};
    const auto waiting = m_waiting.find(key);
    if (waiting != m_waiting.end()) {
        waiting->held.push_back(envelope);
        return true;
    }
    const auto replayed = m_replayedTo.find(key);
    if (replayed == m_replayedTo.end() || envelope.offset == 0)
        return false;
    if (envelope.offset <= *replayed)
        return true;
    m_replayedTo.erase(replayed); // live messages have caught up with the answer
    return false;
}

void SessionHistory::forget(Session *session)
{
    for (auto it = m_waiting.begin(); it != m_waiting.end();)
        it = it.key().first == session ? m_waiting.erase(it) : std::next(it);
    for (auto it = m_replayedTo.begin(); it != m_replayedTo.end();)
        it = it.key().first == session ? m_replayedTo.erase(it) : std::next(it);
}

}
