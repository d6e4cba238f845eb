#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace fanout {

/// What a node publishes on a room's channel: the bus envelope of the reference Node.js node
/// `{"origin","room","payload","ts"}` plus optional fields of ours: `id` (per-origin message
/// number, for tracing and de-duplication), `kind` ("event" for join/leave notices; absent for
/// messages, "direct" for direct messages) and `from` (the sending user or session). Decoding needs only `payload`, so
/// envelopes from nodes of the reference Node.js design and from `redis-cli PUBLISH ... '{"payload":...}'` are
/// accepted.
struct Envelope {
    enum class Kind {
        Message,
        Event,
        Direct ///< a direct message to the user `room` names, on that user's channel
    };

    QString origin;
    QString room;
    /// The client's JSON value as compact text. A compact payload from the bus is kept as its
    /// publisher wrote it (numbers and string escapes untouched); one with whitespace is compacted.
    QByteArray payload;
    qint64 ts = 0; ///< ms since the epoch, 0 when absent
    quint64 id = 0; ///< 0 when absent
    Kind kind = Kind::Message;
    QString from;
    /// In rooms with history: the message's place in the room's history, which the broker
    /// stamps on publish (encode() never writes them). 0 and empty otherwise.
    quint64 offset = 0;
    QString epoch;

    QByteArray encode() const;
    /// On failure returns nothing and sets *error to what is wrong.
    static std::optional<Envelope> decode(QByteArrayView raw, QString *error = nullptr);
};

}
