#pragma once

#include "redis/redisreply.h"
#include "redisserver.h"

#include <QTemporaryDir>

#include <memory>
#include <vector>

/// A Redis Cluster of masters without replicas, each a real redis-server on free loopback ports
/// (its own client port and cluster bus port), joined with `redis-cli --cluster create`, for tests
/// of redis+cluster:// URLs. Masters are numbered in start order; the servers stop with the
/// fixture.
class RedisCluster
{
public:
    static constexpr int SlotCount = 16384;
    static constexpr int NodeTimeoutMs = 2000;
    static constexpr int SettleTimeoutMs = 15000;

    /// Starts `masters` servers (at least 3: redis-cli --cluster create refuses fewer), joins them
    /// and waits until every node says cluster_state:ok and all agree on the owner of every slot;
    /// false with errorString() on failure.
    bool start(int masters = 3);
    QString errorString() const { return m_error; }

    /// scheme://127.0.0.1:P1,127.0.0.1:P2,... with the masters in start order.
    QString url(const QString &scheme = QStringLiteral("redis+cluster")) const;
    int size() const { return int(m_masters.size()); }
    RedisServer &master(int index) { return *m_masters.at(size_t(index)); }

    /// The hash slot of a key or shard channel: CRC16 (XMODEM) of its hash tag (the text between
    /// the first `{` and the first `}` after it, when not empty) or of the whole key, mod 16384.
    static quint16 slotOf(const QByteArray &key);
    /// The index of the master that owns slot now, as the first master that answers sees it; -1
    /// with errorString() when none answers or none owns it.
    int ownerOf(quint16 slot);
    /// Room names stem + "0", stem + "1", ... chosen so that each master owns the slots of exactly
    /// perMaster of the channels prefix + name, grouped by master (master 0's first); empty with
    /// errorString() on failure.
    QStringList namesOnEachMaster(const QString &prefix, const QString &stem, int perMaster);

    /// Moves slot and its keys from its owner to master `to`: beginMigration(), then
    /// finishMigration(). False with errorString() when a step fails.
    bool migrateSlot(quint16 slot, int to);
    /// Stops every master, as a whole cluster going down would.
    void stop();
    /// Starts every master again on its port with its cluster config (its identity and slots;
    /// no data: the servers run without persistence) and waits until the cluster settles.
    bool restart();
    /// Marks slot IMPORTING on `to` and MIGRATING on its owner: a test can publish while the slot
    /// is half-moved. (Redis 7.0 serves SPUBLISH and SSUBSCRIBE on the source then, without ASK.)
    bool beginMigration(quint16 slot, int to);
    /// Moves the slot's keys with MIGRATE, then assigns the slot to `to` on every master.
    bool finishMigration(quint16 slot, int to);

private:
    /// The master index of each slot's owner as master `index` sees it (-1: no owner it knows);
    /// empty when it does not answer.
    QList<int> slotOwners(int index);
    /// slotOwners() of the first master that answers.
    QList<int> currentOwners();
    bool isSettled();
    bool waitSettled();
    /// The owner of slot when it may move to master `to`; -1 with errorString() when not.
    int sourceOf(quint16 slot, int to);
    bool join();
    QByteArray nodeId(int index);
    /// Sends a command to master `index`; an error reply (or none) is a failure in errorString().
    bool run(int index, const QList<QByteArray> &args, fanout::RedisReply *reply = nullptr);

    QTemporaryDir m_dir; ///< the nodes' cluster config files; declared first, so removed last
    std::vector<std::unique_ptr<RedisServer>> m_masters;
    std::vector<QStringList> m_arguments; ///< each master's, for restart()
    QString m_error;
};
