#pragma once

#include "benchoptions.h"
#include "commandstats.h"
#include "presenceusers.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QThread>

#include <functional>
#include <vector>

class PresenceAskers;
class QWebSocket;

namespace fanout {
class RedisConnection;
}

/// Presence mode of fanout-bench (docs/performance.md, "Presence in Redis"): opens one
/// connection per user, all in one room (PresenceUsers says who and how), a bounded number of
/// joins at a time; once every user is in, lets the askers (PresenceAskers, on their own thread)
/// measure the presence query; then, with a Redis URL, reads `INFO commandstats` before and
/// after --seconds in which every connection sits idle, so that the difference is presence
/// refresh (and the nodes' own records). Prints one JSON line through finished().
class PresenceBench : public QObject
{
    Q_OBJECT
public:
    static constexpr int ConcurrentJoins = 200;
    static constexpr int JoinTimeoutMs = 60000;

    explicit PresenceBench(const BenchOptions &options, QObject *parent = nullptr);
    ~PresenceBench() override;

    void start();

signals:
    void finished(const QJsonObject &result);
    void failed(const QString &message);

private:
    enum class Phase {
        Joining,
        Querying,
        Idle,
        Done
    };

    int memberCount() const;
    void openMore();
    void onText(int user, const QString &text);
    void onJoined();
    void queryWhenAllJoined();
    void onQueried(const QJsonObject &queries);
    void readStats(const std::function<void(const CommandStats &)> &then);
    void finishIdleWindow(const CommandStats &before, const CommandStats &after);
    QJsonObject refreshResult(const CommandStats &delta) const;
    QJsonObject result() const;
    void fail(const QString &message);

    BenchOptions m_options;
    PresenceUsers m_users;
    std::vector<QWebSocket *> m_sockets; ///< the members, by user; the askers' are on m_askerThread
    int m_opened = 0;
    int m_joined = 0; ///< members, not counting the askers
    bool m_askersJoined = false;
    Phase m_phase = Phase::Joining;
    QElapsedTimer m_clock;
    qint64 m_joinNs = 0;
    quint64 m_eventFrames = 0;
    QThread m_askerThread;
    PresenceAskers *m_askers = nullptr;
    QJsonObject m_queries;
    fanout::RedisConnection *m_redis = nullptr;
    double m_serverCpuStart = 0;
    double m_serverCpuSeconds = -1;
    qint64 m_windowStartNs = 0;
    QJsonObject m_refresh;
};
