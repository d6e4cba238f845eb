#pragma once

#include "inspectionsnapshot.h"
#include "node/node.h"
#include "redis/redisurl.h"
#include "replybatch.h"
#include "serverreadings.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <optional>

namespace fanout {

class ClusterConnections;
class RateSniffer;
class RedisConsole;
class RedisServerConsole;
class SentinelResolver;

/// Reads a Redis's pub/sub state for an inspector: channels under a prefix with their subscriber
/// counts (asked in batches), sharded channels, connected clients, the fleet's node records, and
/// drift between them. Read-only unless writes are allowed explicitly: its own commands and its
/// console's go through ReadOnlyCommands (docs/inspector.md lists them) until then.
/// Optionally sniffs message rates with PSUBSCRIBE prefix* on a second connection (off by
/// default: a pattern subscription costs Redis CPU on every PUBLISH).
///
/// A refresh runs in stages, each a ReplyBatch that waits for the replies to its own commands:
/// listStage (channels, sharded channels, clients, buffer limits, the node index), countStage
/// (subscriber counts, node records), then finish (connections per node, rates, drift).
///
/// With a sentinel URL its connections share one SentinelResolver; the snapshot then names the
/// primary it last resolved and, from ROLE on that primary, its replicas.
///
/// With a cluster URL a mapStage comes first: CLUSTER SHARDS through a seed (ClusterConnections),
/// then, once the connections to new masters are up, the same stages on every master, the node
/// index and records read from the master that owns each key's slot; ServerReadings merges the
/// masters' answers and the snapshot gets a ClusterInfo. No sniffing there: sharded pub/sub has
/// no pattern subscription, so PSUBSCRIBE would see nothing that nodes publish.
class RedisInspector : public QObject
{
    Q_OBJECT
public:
    static constexpr int NumsubBatch = 1000;

    explicit RedisInspector(const RedisUrl &url, QObject *parent = nullptr);
    ~RedisInspector() override;

    void open();
    bool isConnected() const;
    RedisUrl url() const { return m_url; }

    QString prefix() const { return m_prefix; }
    /// Takes effect at the next refresh; a sniffing connection re-subscribes to the new pattern.
    void setPrefix(const QString &prefix);
    /// The console's mode is the inspector's: allowing writes on either allows them on both.
    bool writesAllowed() const;
    void setWritesAllowed(bool allowed);
    /// A redis-cli console on the inspector's command connection (on a Cluster: to its seed).
    RedisConsole *console() const;
    bool isSniffing() const { return m_sniffer != nullptr; }
    /// Not on a Cluster (see above): sniffing stays off there.
    void setSniffing(bool sniffing);
    /// Refreshes every `milliseconds` (0 stops); each refresh ends with snapshotReady().
    void setRefreshInterval(int milliseconds);

    /// Starts one refresh unless one is running.
    void refresh();

signals:
    void connected();
    void snapshotReady(const fanout::InspectionSnapshot &snapshot);
    void errorOccurred(const QString &message);
    void modeChanged(bool writesAllowed);

private:
    ReplyBatch startStage();
    void mapStage();
    void readSlotMap(RedisConnection *source, const RedisUrl::Address &address, bool shards, const RedisReply &reply);
    /// The masters of the slot map become the snapshot's ClusterInfo and the servers to read.
    void onMastersSettled();
    void listStage();
    void countStage();
    void finish();
    void abandonRefresh();

    /// Sends a command about key to where key lives: the server, or the master that owns its slot.
    void sendForKey(ReplyBatch &batch, const QByteArray &key, const QList<QByteArray> &args,
                    RedisConnection::ReplyHandler handler);
    void readChannels(size_t server, const RedisReply &reply);
    void readShardChannels(size_t server, const RedisReply &reply);
    void readClients(size_t server, const RedisReply &reply);
    void readBufferLimits(const RedisReply &reply);
    void readNodeIndex(const RedisReply &reply);
    void readRole(const RedisReply &reply);
    void askSubscriberCounts(ReplyBatch &batch, RedisConnection *connection, std::vector<ChannelInfo> *channels,
                             const QByteArray &command);
    void readNodeRecord(size_t index, const RedisReply &reply);
    /// An error reply in the snapshot, after the master it came from when given (on a Cluster).
    void recordError(const char *command, const RedisReply &reply, std::optional<size_t> server = std::nullopt);
    QString roomOf(const QByteArray &channel) const;

    RedisUrl m_url;
    QString m_prefix = NodeConfig::DefaultChannelPrefix;
    SentinelResolver *m_resolver; ///< with a sentinel URL, else nullptr
    RedisUrl::Address m_primary; ///< the primary the resolver named last
    ClusterConnections *m_cluster; ///< with a cluster URL, else nullptr
    RedisConnection *m_connection; ///< the one server's; nullptr with a cluster URL
    RedisServerConsole *m_console; ///< on m_connection, or on a Cluster's seed
    RateSniffer *m_sniffer = nullptr;
    QTimer m_refreshTimer;
    QElapsedTimer m_refreshClock; ///< since the running refresh started
    bool m_refreshing = false;
    bool m_waitingForMasters = false; ///< a Cluster's refresh waits for connections to new masters
    std::optional<ReplyBatch> m_stage;
    ServerReadings m_servers;
    InspectionSnapshot m_snapshot;
};

}
