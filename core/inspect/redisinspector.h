#pragma once

#include "inspectionsnapshot.h"
#include "node/node.h"
#include "redis/redisurl.h"
#include "replybatch.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <optional>

namespace fanout {

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
    /// A redis-cli console on the inspector's command connection.
    RedisConsole *console() const;
    bool isSniffing() const { return m_sniffer != nullptr; }
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
    void listStage();
    void countStage();
    void finish();
    void abandonRefresh();

    void readChannels(const RedisReply &reply);
    void readShardChannels(const RedisReply &reply);
    void readClients(const RedisReply &reply);
    void readBufferLimits(const RedisReply &reply);
    void readNodeIndex(const RedisReply &reply);
    void readRole(const RedisReply &reply);
    void askSubscriberCounts(ReplyBatch &batch, std::vector<ChannelInfo> *channels, const QByteArray &command);
    void readNodeRecord(size_t index, const RedisReply &reply);
    void attachConnections();
    void measureRates();
    void recordError(const char *command, const RedisReply &reply);
    QString roomOf(const QByteArray &channel) const;

    RedisUrl m_url;
    QString m_prefix = NodeConfig::DefaultChannelPrefix;
    SentinelResolver *m_resolver; ///< with a sentinel URL, else nullptr
    RedisUrl::Address m_primary; ///< the primary the resolver named last
    RedisConnection *m_connection;
    RedisServerConsole *m_console;
    RedisConnection *m_sniffer = nullptr;
    QHash<QString, quint64> m_sniffCounts;
    QElapsedTimer m_sniffClock;
    QTimer m_refreshTimer;
    bool m_refreshing = false;
    std::optional<ReplyBatch> m_stage;
    InspectionSnapshot m_snapshot;
};

}
