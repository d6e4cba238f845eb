#pragma once

#include "clusterslotmap.h"
#include "clusterslotsource.h"
#include "redisbackedbroker.h"

#include <QHash>
#include <QSet>
#include <QTimer>

#include <map>
#include <memory>

namespace fanout {

/// The Broker on a Redis Cluster (redis+cluster://, rediss+cluster://), by sharded pub/sub:
/// SPUBLISH to the master that owns the channel's slot, SSUBSCRIBE on one subscribe connection
/// per master that owns subscribed slots, one SSUBSCRIBE per slot (channels of several slots in
/// one command are refused with CROSSSLOT). No classic PUBLISH: a Cluster broadcasts that to
/// every node over its bus. Scripts and node-level commands go to the owner of their key's slot.
///
/// The slot map comes from a ClusterSlotSource (CLUSTER SHARDS, of a seed of the URL first, then
/// of any master); it is asked again on a MOVED redirection (which
/// also corrects its slot at once), on a lost connection and when a master drops our shard
/// channels of a slot it no longer owns (an unsolicited `sunsubscribe`): those channels are
/// subscribed at the new owner as soon as the map names it, and no client notices. ASK (a slot
/// half-way through a migration) sends that one command to the importing master after ASKING.
///
/// Connected means the map covers every slot and the command connection to every master is
/// ready. A lost connection, to any master, leaves Connected (every subscription forgotten,
/// as the Broker contract says; the owner resubscribes on the next Connected) and asks for the
/// map again: a failed-over master is replaced by the replica the cluster promoted.
class ClusterBroker : public RedisBackedBroker
{
    Q_OBJECT
public:
    /// Redirections one command follows before it fails.
    static constexpr int MaxRedirects = 16;

    ClusterBroker(const RedisUrl &url, const QString &nodeId, QObject *parent = nullptr);
    ~ClusterBroker() override;

    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void setLinkUp(bool up) override;
    bool isLinkUp() const override { return m_linkUp; }
    void setProbeIntervalMs(int intervalMs) override;

    const ClusterSlotMap &slotMap() const { return m_slots; }
    /// The masters with a subscribe connection of ours, host:port, sorted.
    QStringList subscribedMasters() const;

protected:
    bool isSharded() const override { return true; }
    bool subscribesOutstanding() const override { return pendingSubscribes() > 0 || !m_toSubscribe.isEmpty(); }
    bool sendFor(const QByteArray &key, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler) override;

private:
    /// Our connections to one master, and the shard channels its subscribe connection holds.
    struct Master {
        RedisUrl::Address address;
        RedisConnection *commands = nullptr;
        RedisConnection *subscriber = nullptr; ///< opened for its first channel
        QSet<QByteArray> channels; ///< SSUBSCRIBE sent, confirmed or not
        QSet<QByteArray> unconfirmed; ///< SSUBSCRIBE sent, not yet confirmed
        QSet<QByteArray> leaving; ///< SUNSUBSCRIBE sent, not yet confirmed
    };

    void start();
    ClusterSlotSource::Asker readyMaster() const;
    void applySlots(const ClusterSlotMap &map);
    Master *masterAt(const RedisUrl::Address &address, bool create);
    Master *ownerOf(const QByteArray &channel) const;
    RedisConnection *connectionTo(Master *master, RedisConnection::Mode mode);
    void dropMaster(const QString &key);
    /// Sends args to `master` (after ASKING when `asking`), following redirections.
    bool sendTo(Master *master, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler, int redirectsLeft,
                bool asking);
    void followRedirect(const ClusterSlotMap::Redirect &redirect, const QList<QByteArray> &args,
                        RedisConnection::ReplyHandler handler, int redirectsLeft);
    void flushSubscribes();
    void onPush(Master *master, const RedisReply &reply);
    /// A master dropped channel (its slot moved) or refused to take it: it goes to the new owner.
    void rehome(Master *master, const QByteArray &channel);
    void onLost();
    void forgetSubscriptions();
    void updateState();

    QString m_nodeId;
    std::map<QString, std::unique_ptr<Master>> m_masters; ///< by host:port
    ClusterSlotMap m_slots;
    ClusterSlotSource *m_slotSource;
    QTimer m_subscribeTimer; ///< batches a turn's subscribes by slot
    QSet<QByteArray> m_toSubscribe; ///< wanted, not yet sent (or dropped by a master)
    int m_probeIntervalMs = DefaultProbeIntervalMs;
    bool m_linkUp = true;
};

}
