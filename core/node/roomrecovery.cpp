#include "roomrecovery.h"

#include "broker/broker.h"

namespace fanout {

RoomRecovery::RoomRecovery(Broker *broker, ChannelOf channelOf, Deliver deliver, QObject *parent)
    : QObject(parent), m_broker(broker), m_channelOf(std::move(channelOf)), m_deliver(std::move(deliver))
{
    connect(&m_idleCheck, &QTimer::timeout, this, &RoomRecovery::checkIdleRooms);
    m_idleCheck.start(IdleCheckMs);
}

void RoomRecovery::roomStarted(const QString &room)
{
    Room &state = m_rooms[room];
    state.generation = ++m_generations;
    state.quiet.start();
    read(room);
    readLater(room, SettleMs);
}

void RoomRecovery::roomEnded(const QString &room)
{
    m_rooms.remove(room);
}

void RoomRecovery::received(const QString &room, const Envelope &envelope)
{
    const auto found = m_rooms.find(room);
    if (found == m_rooms.end())
        return;
    Room &state = *found;
    state.quiet.restart();
    if (state.known && envelope.epoch != state.epoch)
        startEpoch(room, state, envelope.epoch);
    if (!state.known || state.reading) {
        state.waiting.insert_or_assign(envelope.offset, envelope);
        return;
    }
    deliverInOrder(room, state, envelope);
}

void RoomRecovery::deliverInOrder(const QString &room, Room &state, const Envelope &envelope)
{
    if (envelope.offset <= state.delivered)
        return; // delivered already, from the history or live
    if (envelope.offset > state.delivered + 1) {
        state.waiting.emplace(envelope.offset, envelope);
        read(room);
        return;
    }
    m_deliver(room, envelope, Delivery::Source::Live);
    state.delivered = envelope.offset;
    flushWaiting(room, state);
}

void RoomRecovery::flushWaiting(const QString &room, Room &state)
{
    while (!state.waiting.empty()) {
        auto first = state.waiting.begin();
        if (first->first > state.delivered + 1) {
            read(room);
            return;
        }
        if (first->first == state.delivered + 1) {
            m_deliver(room, first->second, Delivery::Source::Live);
            state.delivered = first->first;
        }
        state.waiting.erase(first);
    }
}

void RoomRecovery::reconnected()
{
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        read(it.key());
        readLater(it.key(), SettleMs);
    }
}

void RoomRecovery::read(const QString &room)
{
    Room &state = m_rooms[room];
    if (state.reading)
        return;
    state.reading = true;
    state.deliveredWhenRead = state.delivered;
    const HistoryQuery query = state.known ? HistoryQuery::since(state.delivered, ReadBatch) : HistoryQuery::position();
    // A reply for an earlier life of the room (it ended and started again meanwhile) is dropped.
    m_broker->readHistory(
        m_channelOf(room), query,
        [this, room, generation = state.generation](const HistoryRead &read) { onRead(room, generation, read); });
}

void RoomRecovery::onRead(const QString &room, quint64 generation, const HistoryRead &read)
{
    const auto found = m_rooms.find(room);
    if (found == m_rooms.end() || found->generation != generation)
        return;
    Room &state = *found;
    state.reading = false;
    if (!read.ok) {
        // Not connected: reconnected() reads again; a lost reply is retried.
        readLater(room, RetryMs);
        return;
    }
    if (!state.known)
        learnPosition(state, read);
    else
        applyEntries(room, state, read);
    if (state.reading)
        return;
    if (state.delivered == state.deliveredWhenRead && !state.waiting.empty()) {
        readLater(room, RetryMs); // no progress: not again at once
        return;
    }
    flushWaiting(room, state);
}

void RoomRecovery::readLater(const QString &room, int delayMs)
{
    QTimer::singleShot(delayMs, this, [this, room] {
        if (m_rooms.contains(room) && m_broker->state() == Broker::State::Connected)
            read(room);
    });
}

void RoomRecovery::learnPosition(Room &state, const HistoryRead &read)
{
    // Messages that arrived while the position was asked for are delivered, even the ones
    // published just before it was read.
    state.known = true;
    state.epoch = read.top.epoch;
    state.delivered = read.top.offset;
    if (state.epoch.isEmpty() && !state.waiting.empty()) // the room's history began meanwhile
        state.epoch = state.waiting.begin()->second.epoch;
    for (auto it = state.waiting.begin(); it != state.waiting.end();) {
        if (it->second.epoch != state.epoch) {
            it = state.waiting.erase(it);
            continue;
        }
        state.delivered = std::min(state.delivered, it->first - 1);
        break;
    }
}

void RoomRecovery::applyEntries(const QString &room, Room &state, const HistoryRead &read)
{
    if (read.top.epoch != state.epoch) {
        startEpoch(room, state, read.top.epoch);
        this->read(room);
        return;
    }
    if (read.top.offset < state.delivered) {
        // The same epoch went back (a crash lost its last writes): offsets will be given again.
        lose(room, state, read.top);
        return;
    }
    for (const HistoryEntry &entry : read.entries) {
        if (entry.offset <= state.delivered)
            continue;
        if (entry.offset > state.delivered + 1) // trimmed before, or a hole: it is not coming back
            lose(room, state, {entry.offset - 1, state.epoch});
        state.delivered = entry.offset;
        if (std::optional<Envelope> envelope = Envelope::decode(entry.message))
            m_deliver(room, *envelope, Delivery::Source::History);
    }
    if (read.entries.empty() && read.top.offset > state.delivered)
        lose(room, state, {read.top.offset, state.epoch}); // the range expired or was trimmed away
    if (qsizetype(read.entries.size()) == ReadBatch && state.delivered < read.top.offset)
        this->read(room);
}

void RoomRecovery::startEpoch(const QString &room, Room &state, const QString &epoch)
{
    // An empty epoch is a room without history yet: its first epoch replaces nothing. Any other
    // change means the history the node was following is gone; the new one is read from its start.
    if (state.epoch.isEmpty()) {
        state.epoch = epoch;
        state.delivered = 0;
        return;
    }
    lose(room, state, {0, epoch});
}

void RoomRecovery::lose(const QString &room, Room &state, const StreamPosition &position)
{
    state.epoch = position.epoch;
    state.delivered = position.offset;
    std::erase_if(state.waiting, [&](const auto &entry) { return entry.second.epoch != position.epoch; });
    emit historyLost(room, position);
}

void RoomRecovery::checkIdleRooms()
{
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        if (it->known && !it->reading && it->quiet.elapsed() >= IdleCheckMs)
            read(it.key());
    }
}

}
