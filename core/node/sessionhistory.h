#pragma once

#include "broker/history.h"
#include "envelope/envelope.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <vector>

namespace fanout {

class Broker;
class Session;

/// What a typed-mode client asks of a room's history as it joins (docs/protocol.md, "History"):
/// the last N messages in one `history` frame, or every message after a position it had, then
/// live ones. While its answer is on its way the session's live messages of that room wait
/// here, so it sees no gap, no duplicate and nothing out of order.
class SessionHistory : public QObject
{
    Q_OBJECT
public:
    using ChannelOf = std::function<QByteArray(const QString &room)>;

    static constexpr qsizetype MaxLatest = 1000;
    static constexpr qsizetype ReadBatch = 1000;

    SessionHistory(Broker *broker, HistoryPolicy policy, ChannelOf channelOf, QObject *parent = nullptr);

    /// Sends `{"type":"history",...}` with the last `count` messages (capped).
    void sendLatest(Session *session, const QString &room, qsizetype count);
    /// Answers `joined` with recovered, offset and epoch, then replays what came after `since`.
    void recover(Session *session, const QString &room, const StreamPosition &since);
    /// Whether a live delivery to `session` is not for now: it waits while the session's answer
    /// is on its way, and is dropped when the answer already had it (the history can be read
    /// ahead of the live messages a node receives).
    bool intercepts(Session *session, const QString &room, const Envelope &envelope);
    bool isIntercepting() const { return !m_waiting.isEmpty() || !m_replayedTo.isEmpty(); }
    /// The session is gone: nothing more is sent to it.
    void forget(Session *session);
    /// The session left the room: nothing more of the room's answer is sent to it.
    void forget(Session *session, const QString &room);

private:
    using Key = std::pair<Session *, QString>;
    struct Waiting {
        StreamPosition replayedTo;
        std::vector<Envelope> held;
    };
    /// Starts answering; refuses (with invalid_history) a second request while one is on its way.
    bool begin(const Key &key);
    bool continues(const Key &key, const HistoryRead &read, const QString &epoch);
    void readLatest(const Key &key, qsizetype count);
    void readSince(const Key &key, const StreamPosition &since, quint64 after, bool answered);
    void replay(const Key &key, const HistoryRead &read);
    void release(const Key &key);

    Broker *m_broker;
    HistoryPolicy m_policy;
    ChannelOf m_channelOf;
    QHash<Key, Waiting> m_waiting;
    QHash<Key, StreamPosition> m_replayedTo; ///< after an answer: live messages up to this were in it
};

}
