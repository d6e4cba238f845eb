#pragma once

#include "broker/history.h"
#include "redisreply.h"
#include "redisscript.h"

#include <QList>

namespace fanout {

/// The two Lua scripts of a room's history on Redis and how to call them. Keys share the
/// channel's hash tag, `{<channel>}:history` (a stream, entry id `<offset>-0`) and
/// `{<channel>}:meta` (a hash: `epoch`, `top`, and `o:<origin>` = `<id>:<offset>` of each
/// publisher's last message), so on a Redis Cluster they live in the channel's slot.
///
/// - publish: one atomic step: recognise an (origin, id) already stored, else take the next
///   offset, XADD (MAXLEN ~ size), refresh both TTLs and PUBLISH the envelope with its offset
///   and epoch (PUBLISH, or SPUBLISH on a Cluster). A missing meta (expired, evicted, Redis restarted without
///   persistence) starts a new epoch from offset 1.
/// - read: the epoch and top, and entries after an offset (XRANGE) or the last N (XREVRANGE).
///
/// Scripts are called with EVALSHA once SCRIPT LOAD ran on the connection; a NOSCRIPT error
/// (the server lost its script cache) is answered by sending the same call with EVAL.
class HistoryScripts
{
public:
    static const RedisScript &publishScript();
    static const RedisScript &readScript();

    /// `sharded`: the script publishes with SPUBLISH (a Cluster), which its keys' slot allows.
    static QList<QByteArray> publishCall(const QByteArray &channel, const QByteArray &envelope,
                                         const HistoryAppend &append, const QByteArray &newEpoch, bool sharded,
                                         bool bySha);
    static QList<QByteArray> readCall(const QByteArray &channel, const HistoryQuery &query, bool bySha);
    static std::optional<StreamPosition> parsePublish(const RedisReply &reply);
    static HistoryRead parseRead(const RedisReply &reply, bool latest);
    /// Errors after which the call may be sent again: the connection went away (Redis may or
    /// may not have run it), or Redis could not run it now (loading, busy, a replica, no
    /// script). The script recognises a publish it already stored.
    static bool isRetryable(const RedisReply &reply);
};

}
