#pragma once

#include "broker/hashslot.h"
#include "redisurl.h"

#include <QList>

#include <array>
#include <optional>

namespace fanout {

struct RedisReply;

/// Which master of a Redis Cluster owns each of its 16384 hash slots, as CLUSTER SHARDS (Redis
/// 7) or CLUSTER SLOTS (older) tell it, corrected slot by slot by MOVED redirections.
class ClusterSlotMap
{
public:
    /// A redirection a cluster node answers instead of running a command: MOVED (the slot has a
    /// new owner, for good) or ASK (this one command, during a migration, goes to the importing
    /// node after ASKING).
    struct Redirect {
        enum class Kind {
            Moved,
            Ask
        };
        Kind kind = Kind::Moved;
        quint16 slot = 0;
        RedisUrl::Address address;

        /// The redirection in an error reply; nothing for any other reply. An address without a
        /// host (`:7001`, an unknown endpoint) is on `askedHost`.
        static std::optional<Redirect> parse(const RedisReply &reply, const QString &askedHost);
    };

    /// From a CLUSTER SHARDS reply; `askedHost` is the node asked (for an unknown endpoint) and
    /// `tls` picks each node's TLS port. Nothing, with *error set, when the reply is not one.
    static std::optional<ClusterSlotMap> fromShards(const RedisReply &reply, const QString &askedHost, bool tls,
                                                    QString *error);
    /// From a CLUSTER SLOTS reply (which gives the port of the connection's own kind).
    static std::optional<ClusterSlotMap> fromSlots(const RedisReply &reply, const QString &askedHost, QString *error);

    ClusterSlotMap();

    /// Whether every slot has an owner (a cluster in state ok).
    bool isComplete() const;
    std::optional<RedisUrl::Address> ownerOf(quint16 slot) const;
    /// The masters that own at least one slot, in the order first seen.
    QList<RedisUrl::Address> masters() const;
    /// The slots a master owns.
    QList<quint16> slotsOf(const RedisUrl::Address &master) const;
    void assign(quint16 slot, const RedisUrl::Address &owner);

private:
    void assign(quint16 first, quint16 last, const RedisUrl::Address &owner);

    QList<RedisUrl::Address> m_masters; ///< every owner ever assigned; unused ones are skipped by masters()
    std::array<qint16, HashSlot::Count> m_owner; ///< index in m_masters, -1 for none
};

}
