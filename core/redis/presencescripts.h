#pragma once

#include "broker/presence.h"
#include "redisscript.h"

#include <QList>

namespace fanout {

struct RedisReply;

/// The two Lua scripts of a presence set on Redis (PresenceChange) and how to call them. Keys
/// share the set's name, which carries its channel's hash tag: `<set>` (a hash: connection ->
/// entry as JSON), `<set>:expiry` (a sorted set: connection -> expiry in ms) and `<set>:count`
/// (a hash: subject -> entries), so a change is one atomic step in one slot. No key is ever
/// scanned: a read costs in proportion to the set's entries. Times are the server's (TIME), so
/// nodes with differing clocks agree. Every key expires a while after its last change, so a
/// set whose whole fleet is gone does not stay for ever; a change never shortens what an earlier
/// one with a longer lifetime set. The change script answers how many
/// entries the set still holds (and on a Cluster the events to publish).
class PresenceScripts
{
public:
    /// How long a set's keys outlive their last change, in entry lifetimes.
    static constexpr int KeyLifetimes = 3;

    static const RedisScript &changeScript();
    static const RedisScript &readScript();

    /// `sharded` (a Cluster): the script cannot publish to a channel outside its keys' slot, so it
    /// answers `[remaining, event...]` and the caller publishes the events, in that order.
    static QList<QByteArray> changeCall(const PresenceChange &change, qint64 ttlMs, bool sharded, bool bySha);
    static QList<QByteArray> readCall(const QByteArray &set, bool bySha);
    static PresenceRead parseRead(const RedisReply &reply);
};

}
