#pragma once

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace fanout {

/// How much of a room's messages the broker keeps (docs/protocol.md, "History"). Size 0 is
/// plain pub/sub: nothing is kept.
struct HistoryPolicy {
    static constexpr qint64 DefaultTtlSeconds = 86400;

    qint64 size = 0; ///< entries kept per room (approximately, on Redis)
    qint64 ttlSeconds = DefaultTtlSeconds; ///< a room's history expires this long after its last message

    bool isOn() const { return size > 0; }
};

/// A place in a room's history: offsets count the room's messages from 1; the epoch names one
/// unbroken history and changes whenever the history was lost.
struct StreamPosition {
    quint64 offset = 0;
    QString epoch;

    bool operator==(const StreamPosition &) const = default;
};

/// One message as the history keeps it: the envelope as it was published, offset and epoch in.
struct HistoryEntry {
    quint64 offset = 0;
    QByteArray message;
};

/// What to read of a room's history.
struct HistoryQuery {
    quint64 after = 0; ///< entries with an offset above this one...
    qsizetype limit = 0; ///< ...at most this many (0: only the position)
    bool latest = false; ///< instead: the last `limit` entries, whatever `after` says

    static HistoryQuery position() { return {}; }
    static HistoryQuery since(quint64 offset, qsizetype limit) { return {offset, limit, false}; }
    static HistoryQuery last(qsizetype count) { return {0, count, true}; }
};

/// The answer to a HistoryQuery: the room's current top and epoch, and the entries asked for,
/// oldest first. `ok` is false when the broker could not answer (connection lost).
struct HistoryRead {
    bool ok = false;
    StreamPosition top;
    std::vector<HistoryEntry> entries;
};

/// The position a message got, or nothing when it could not be published.
using HistoryPublishReply = std::function<void(std::optional<StreamPosition> position)>;
using HistoryReadReply = std::function<void(const HistoryRead &read)>;

/// A publish into a room's history: the envelope without offset and epoch (the broker adds
/// them), and the publisher's (origin, id), by which a publish sent again after its reply was
/// lost is recognised and not stored twice.
struct HistoryAppend {
    HistoryPolicy policy;
    QString origin;
    quint64 id = 0;
    HistoryPublishReply reply;
};

}
