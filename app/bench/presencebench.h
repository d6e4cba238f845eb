#pragma once

#include "benchoptions.h"
#include "commandstats.h"
#include "metrics/latencyhistogram.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <vector>

class QWebSocket;

namespace fanout {
class RedisConnection;
}

/// Presence mode of fanout-bench (docs/performance.md, "Presence"): opens one connection per
/// user u0..uN-1, round-robin over the node URLs and a bounded number of joins at a time, all
/// in one room; once every user is in, asks the room's presence from a few users on each node,
/// one query at a time, checking that every answer lists all N users; then, with a Redis URL,
/// reads `INFO commandstats` before and after a window in which the connections sit idle, so
/// the window holds nothing but presence refresh (and the nodes' own records).
///
/// Without a token secret every user is a typed client (`auth` with its userId, then `join`).
/// With one, users present signed tokens, and all but the askers connect in room mode with the
/// token on the URL: room mode receives no join events, which typed members get for every join.
class PresenceBench : public QObject
{
    Q_OBJECT
public:
    static constexpr int ConcurrentJoins = 200;
    static constexpr int JoinTimeoutMs = 60000;
    static constexpr int SettleTimeoutMs = 10000;
    static constexpr int SettleRetryMs = 100;
    static inline const QString Room = QStringLiteral("bench-presence");

    explicit PresenceBench(const BenchOptions &options, QObject *parent = nullptr);
    ~PresenceBench() override;

    void start();

signals:
    void finished(const QJsonObject &result);
    void failed(const QString &message);

private:
    enum class Phase {
        Joining,
        Settling,
        Querying,
        Idle,
        Done
    };
    struct Answer {
        int users = -1; ///< users listed; -1 when the frame is not a valid answer
        QString fault; ///< what is wrong with it, if anything
    };

    int askerCount() const;
    bool isTyped(int user) const;
    QUrl urlOf(int user) const;
    QByteArray tokenOf(int user) const;
    void openMore();
    void onConnected(int user);
    void onText(int user, const QString &text);
    void onJoined();
    void ask();
    void onAnswer(int user, const QString &text);
    Answer check(const QString &text) const;
    void startIdleWindow();
    void readStats(const std::function<void(const CommandStats &)> &then);
    void finishIdleWindow(const CommandStats &before, const CommandStats &after);
    QJsonObject result() const;
    QJsonObject refreshResult(const CommandStats &delta) const;
    void fail(const QString &message);

    BenchOptions m_options;
    std::vector<QWebSocket *> m_sockets;
    int m_opened = 0;
    int m_joined = 0;
    Phase m_phase = Phase::Joining;
    QElapsedTimer m_clock;
    qint64 m_joinNs = 0;
    qint64 m_settleStartNs = 0;
    qint64 m_settleNs = 0;
    quint64 m_otherFrames = 0; ///< events and anything else that is neither an answer nor an ack
    int m_asked = 0;
    int m_answered = 0;
    int m_awaiting = -1; ///< the user whose answer is due
    qint64 m_askedAtNs = 0;
    qint64 m_answerBytes = 0;
    int m_answerUsers = 0;
    fanout::LatencyHistogram m_latency;
    fanout::RedisConnection *m_redis = nullptr;
    double m_serverCpuStart = 0;
    qint64 m_windowStartNs = 0;
    QJsonObject m_refresh;
    double m_serverCpuSeconds = -1;
};
