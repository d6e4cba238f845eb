#pragma once

#include "benchoptions.h"
#include "metrics/latencyhistogram.h"
#include "presenceusers.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <vector>

class QWebSocket;

/// The users of presence mode that ask (the first PresenceUsers::askerCount()), meant for a
/// thread of their own: Qt's event loop polls every socket of its thread on each turn, and the
/// bench's main thread holds thousands of members, which would add to every measured round
/// trip. open() connects and joins them (joined() once all did); queryAll() asks until an answer
/// lists every user (the other nodes' joins may still be on their way to Redis), then sends
/// --presence-queries queries one at a time, in turn from each asker, checks each answer and
/// reports the round trips.
class PresenceAskers : public QObject
{
    Q_OBJECT
public:
    static constexpr int SettleTimeoutMs = 10000;
    static constexpr int SettleRetryMs = 100;

    explicit PresenceAskers(const BenchOptions &options);
    ~PresenceAskers() override;

    void open();
    void queryAll();

signals:
    void joined();
    /// {"queries", "askers", "first_answer_users", "settle_ms", "answer_users", "answer_bytes",
    /// "query_ms": {"p50", "p99", "max"}, "asker_event_frames", "presence_left_events"}
    void finished(const QJsonObject &result);
    void failed(const QString &message);

private:
    struct Answer {
        int users = -1; ///< users listed; -1 when the frame is not an answer for the room
        QString fault; ///< what is wrong with it, if anything
    };

    void onText(int asker, const QString &text);
    void ask();
    void onAnswer(int asker, const QString &text);
    Answer check(const QString &text) const;
    void fail(const QString &message);

    PresenceUsers m_users;
    int m_queries;
    std::vector<QWebSocket *> m_sockets;
    int m_joined = 0;
    bool m_settling = true;
    bool m_failed = false;
    QElapsedTimer m_clock;
    qint64 m_settleStartNs = 0;
    qint64 m_settleNs = 0;
    int m_firstAnswerUsers = -1;
    int m_asked = 0;
    int m_answered = 0;
    int m_awaiting = -1; ///< the asker whose answer is due
    qint64 m_askedAtNs = 0;
    qint64 m_answerBytes = 0;
    int m_answerUsers = 0;
    quint64 m_eventFrames = 0;
    quint64 m_presenceLeft = 0;
    fanout::LatencyHistogram m_latency;
};
