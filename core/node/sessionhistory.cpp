#include "sessionhistory.h"

#include "broker/broker.h"
#include "clientprotocol.h"
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

bool SessionHistory::begin(const Key &key)
{
    if (m_waiting.contains(key)) {
        key.first->sendText(ClientProtocol::errorFrame(
            QStringLiteral("invalid_history"),
            QStringLiteral("a history request for \"%1\" is still being answered").arg(key.second)));
        return false;
    }
    m_replayedTo.remove(key);
    m_waiting.insert(key, {});
    return true;
}

void SessionHistory::sendLatest(Session *session, const QString &room, qsizetype count)
{
    const Key key {session, room};
    if (begin(key))
        readLatest(key, std::min({count, MaxLatest, qsizetype(m_policy.size)}));
}

void SessionHistory::readLatest(const Key &key, qsizetype count)
{
    m_broker->readHistory(m_channelOf(key.second), HistoryQuery::last(count), [this, key](const HistoryRead &read) {
        if (!m_waiting.contains(key))
            return;
        QByteArray frame = R"({"type":"history","room":)" + JsonText::quote(key.second) + R"(,"messages":[)";
        bool first = true;
        for (const HistoryEntry &entry : read.entries) {
            const std::optional<Envelope> envelope = Envelope::decode(entry.message);
            if (!envelope)
                continue;
            frame += (first ? "" : ",") + Delivery(key.second, *envelope).frame(SessionProtocol::Typed);
            first = false;
        }
        frame += ']' + positionFields(read.top) + '}';
        key.first->sendText(frame);
        m_waiting[key].replayedTo = read.top;
        release(key);
    });
}

void SessionHistory::recover(Session *session, const QString &room, const StreamPosition &since)
{
    const Key key {session, room};
    if (begin(key))
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
                m_waiting[key].replayedTo = read.top;
                release(key);
                return;
            }
        } else if (!continues(key, read, since.epoch)) {
            return;
        }
        replay(key, read);
        const quint64 last = m_waiting[key].replayedTo.offset;
        if (qsizetype(read.entries.size()) == ReadBatch && last < read.top.offset)
            readSince(key, since, last, true);
        else
            release(key);
    });
}

bool SessionHistory::continues(const Key &key, const HistoryRead &read, const QString &epoch)
{
    // A later batch must take up where the last one ended, in the same epoch; if the read failed
    // or the history moved away meanwhile, the client hears what it misses, as members do.
    const StreamPosition last = m_waiting[key].replayedTo;
    const bool follows = read.ok && read.top.epoch == epoch
        && (read.entries.empty() ? read.top.offset <= last.offset : read.entries.front().offset == last.offset + 1);
    if (follows)
        return true;
    key.first->sendText(R"({"type":"history_lost","room":)" + JsonText::quote(key.second)
                        + positionFields(read.ok ? read.top : last) + '}');
    m_waiting[key].replayedTo = read.ok ? read.top : last;
    release(key);
    return false;
}

void SessionHistory::replay(const Key &key, const HistoryRead &read)
{
    Waiting &waiting = m_waiting[key];
    waiting.replayedTo.epoch = read.top.epoch;
    for (const HistoryEntry &entry : read.entries) {
        waiting.replayedTo.offset = entry.offset;
        if (const std::optional<Envelope> envelope = Envelope::decode(entry.message))
            key.first->deliver(Delivery(key.second, *envelope));
    }
}

void SessionHistory::release(const Key &key)
{
    const Waiting waiting = m_waiting.take(key);
    StreamPosition deliveredTo = waiting.replayedTo;
    for (const Envelope &envelope : waiting.held) {
        if (envelope.offset != 0 && envelope.epoch == deliveredTo.epoch && envelope.offset <= deliveredTo.offset)
            continue;
        key.first->deliver(Delivery(key.second, envelope));
        if (envelope.offset != 0)
            deliveredTo = {envelope.offset, envelope.epoch};
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
    if (envelope.epoch == replayed->epoch && envelope.offset <= replayed->offset)
        return true;
    m_replayedTo.erase(replayed); // live messages have caught up with the answer
    return false;
}

void SessionHistory::forget(Session *session, const QString &room)
{
    m_waiting.remove(Key {session, room});
    m_replayedTo.remove(Key {session, room});
}

void SessionHistory::forget(Session *session)
{
    const auto ofSession = [session](const auto &entry) { return entry.key().first == session; };
    m_waiting.removeIf(ofSession);
    m_replayedTo.removeIf(ofSession);
}

}
