#pragma once

#include "inspectionsnapshot.h"
#include "node/node.h"
#include "redis/redisurl.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace fanout {

class RedisConnection;
struct RedisReply;

/// Reads a Redis's pub/sub state for an inspector: channels under a prefix with their subscriber
/// counts (asked in batches), sharded channels, connected clients, the fleet's node records, and
/// drift between them. Read-only unless writes are allowed explicitly: every command it sends
/// goes through one guard that refuses anything but the reads listed in docs/inspector.md.
/// Optionally sniffs message rates with PSUBSCRIBE prefix* on a second connection (off by
/// default: a pattern subscription costs Redis CPU on every PUBLISH).
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
    void setPrefix(const QString &prefix) { m_prefix = prefix; }
    bool writesAllowed() const { return m_writesAllowed; }
    void setWritesAllowed(bool allowed);
    bool isSniffing() const { return m_sniffer != nullptr; }
    void setSniffing(bool sniffing);
    /// Refreshes every `milliseconds` (0 stops); each refresh ends with snapshotReady().
    void setRefreshInterval(int milliseconds);

    /// Starts one refresh unless one is running.
    void refresh();
    /// A redis-cli command line through the read-only guard; the answer comes with
    /// commandAnswered().
    void execute(const QString &commandLine);
    /// Whether the guard lets this command through in the current mode.
    bool isAllowed(const QList<QByteArray> &args) const;

signals:
    void connected();
    void snapshotReady(const fanout::InspectionSnapshot &snapshot);
    void errorOccurred(const QString &message);
    void commandAnswered(const QString &commandLine, const QString &answer);
    void modeChanged(bool writesAllowed);

private:
    bool send(const QList<QByteArray> &args, std::function<void(const RedisReply &)> handler);
    void expect(int replies, std::function<void()> then);
    void replied();
    void readNumsub(std::vector<ChannelInfo> *channels, const QByteArray &command);
    void finishRefresh();
    QString roomOf(const QByteArray &channel) const;

    RedisUrl m_url;
    QString m_prefix = NodeConfig::DefaultChannelPrefix;
    RedisConnection *m_connection;
    RedisConnection *m_sniffer = nullptr;
    QHash<QString, quint64> m_sniffCounts;
    QElapsedTimer m_sniffClock;
    QTimer m_refreshTimer;
    bool m_writesAllowed = false;
    bool m_refreshing = false;
    InspectionSnapshot m_pending;
    int m_outstanding = 0;
    std::function<void()> m_then;
};

}
