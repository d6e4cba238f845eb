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
/// - Join adds `entries` that are not there yet and gives every one of them a new expiry;
/// - Leave removes the entries with these connections;
/// - Refresh is a Join of the caller's own entries (one swept meanwhile, after a stall or a
///   clock jump, comes back) followed by a sweep: every entry of the set whose expiry has
///   passed (a dead node's) is removed.
///
/// A subject whose count reaches 1 has `joinedFormat` published on `eventChannel`, one whose
/// count reaches 0 `leftFormat`; `$user`, `$node` and `$ts` are replaced, in one pass, by the
/// entry's user and node as JSON strings and the time. On Redis the time is the server's (TIME),
/// so nodes whose clocks differ agree on expiries; nowMs and expiresAtMs serve the in-process bus.
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
    QByteArray joinedFormat;
    QByteArray leftFormat;

    /// An event format with its placeholders replaced for `entry`, in one pass (a user named
    /// `$node` stays itself).
    QByteArray render(const QByteArray &format, const PresenceEntry &entry) const;
};

/// After a change: how many entries the set still holds, -1 when the broker could not tell.
using PresenceChangeReply = std::function<void(qint64 remaining)>;

/// A presence set as read: its live entries (expired ones left out), in no particular order.
/// `ok` is false when the broker could not answer (not connected).
struct PresenceRead {
    bool ok = false;
    std::vector<PresenceEntry> entries;
};

using PresenceReadReply = std::function<void(const PresenceRead &read)>;

}
