#pragma once

#include "inspectionsnapshot.h"
#include "redis/clusterslotmap.h"
#include "redis/redisurl.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <map>

namespace fanout {

class RedisConnection;

/// An inspector's connections to a Redis Cluster, all command connections named
/// ClientNames::inspector(): one to a seed node of the URL, which asks for the slot map and
/// carries the console (the next seed, in the URL's order, once it fails to connect), and one to
/// each master of the last slot map. It sends nothing itself: the inspector sends its commands,
/// through its read-only guard, on these connections.
class ClusterConnections : public QObject
{
    Q_OBJECT
public:
    /// How long settleMasters() waits for the connections a new slot map opened.
    static constexpr int NewMasterWaitMs = 2000;

    ClusterConnections(const RedisUrl &url, QObject *parent = nullptr);
    ~ClusterConnections() override;

    void open();
    RedisConnection *seed() const { return m_seed; }
    /// Where the slot map is asked: the seed, or while it is down any master; nullptr (address
    /// untouched) when no connection is ready.
    RedisConnection *mapSource(RedisUrl::Address *address) const;
    /// Takes the slot map of a CLUSTER SHARDS (`shards`) or CLUSTER SLOTS reply from the node at
    /// address (setSlotMap()); false with *error when the reply is not one: the last map stays.
    bool readSlotMap(const RedisReply &reply, const RedisUrl::Address &address, bool shards, QString *error);
    /// Opens a connection to every master of map that has none, and closes those to servers
    /// that are masters no more.
    void setSlotMap(const ClusterSlotMap &map);
    const ClusterSlotMap &slotMap() const { return m_map; }
    /// Appends the masters of the slot map, by their first slot, to cluster (address and slots)
    /// and returns their connections in that order: nullptr, with the master's error set, for one
    /// that is not ready now.
    std::vector<RedisConnection *> describeMasters(ClusterInfo *cluster) const;
    /// The masters of the slot map, by their first slot.
    QList<RedisUrl::Address> masters() const;
    /// The connection to a master of the slot map, ready or not; nullptr for another address.
    RedisConnection *connectionTo(const RedisUrl::Address &master) const;
    /// The connection to the master that owns the slot of key; nullptr when no master does.
    RedisConnection *connectionFor(QByteArrayView key) const;
    /// Emits mastersSettled() once each connection that setSlotMap() opened is ready or has
    /// failed a first attempt, after NewMasterWaitMs at the latest; on the next turn of the event
    /// loop when none is pending.
    void settleMasters();

signals:
    /// The seed connection is ready.
    void ready();
    /// The console's connection changed: the seed before it failed.
    void seedChanged(fanout::RedisConnection *seed);
    void mastersSettled();
    void errorOccurred(const QString &message);

private:
    void openSeed();
    void onSeedFailed();
    void onMasterSettled(RedisConnection *connection);
    RedisUrl::Address seedAddress() const;

    struct Master {
        RedisUrl::Address address;
        RedisConnection *connection = nullptr;
    };

    RedisUrl m_url;
    RedisConnection *m_seed = nullptr;
    qsizetype m_seedIndex = 0;
    QTimer m_nextSeed;
    ClusterSlotMap m_map;
    std::map<QString, Master> m_masters; ///< by host:port
    QSet<RedisConnection *> m_unsettled; ///< opened for a new master, neither ready nor failed yet
    QTimer m_settleTimeout;
    bool m_settling = false;
};

}
