#pragma once

#include <QByteArray>
#include <QString>

#include <functional>
#include <vector>

namespace fanout {

/// One connection in a presence set (docs/protocol.md, "Presence"). The set counts its
/// entries per `subject` (a room's presence counts per user, the fleet's online list per user
/// and node); an event is published when a subject's count goes from 0 to 1 or back to 0.
struct PresenceEntry {
    QString connection; ///< unique in the fleet and over restarts
    QString subject;
    QString user;
    QString node;
    qint64 sinceMs = 0;
    qint64 expiresAtMs = 0; ///< when read: the entry's current expiry
};

/// A change to a presence set, carried out in one atomic step by the broker.
///
/// - Join adds `entries` that are not there yet (re-adding one only refreshes it);
/// - Leave removes the entries with these connections;
/// - Refresh moves the expiry of the entries with these connections that are still there,
///   then removes every entry of the set whose expiry has passed (a dead node's).
///
/// Each subject whose count reaches 1 (Join) or 0 (Leave, Refresh) has `eventFormat` published
/// on `eventChannel`, with `$user` and `$node` replaced by the entry's user and node as JSON
/// strings and `$ts` by `nowMs`. With several subjects, one event per subject, in order.
struct PresenceChange {
    enum class Kind {
        Join,
        Leave,
        Refresh
    };

    Kind kind = Kind::Join;
    QByteArray set; ///< the set's key base (hash-tagged with its channel)
    std::vector<PresenceEntry> entries;
    qint64 nowMs = 0;
    qint64 expiresAtMs = 0; ///< Join and Refresh: the entries' new expiry
    QByteArray eventChannel;
    QByteArray eventFormat;

    /// The event for `entry`: eventFormat with its placeholders replaced.
    QByteArray eventFor(const PresenceEntry &entry) const;
};

/// A presence set as read: its live entries (expired ones left out), in no particular order.
/// `ok` is false when the broker could not answer (not connected).
struct PresenceRead {
    bool ok = false;
    std::vector<PresenceEntry> entries;
};

using PresenceReadReply = std::function<void(const PresenceRead &read)>;

}
