#pragma once

#include "redisconnection.h"
#include "redisurl.h"

#include <QObject>
#include <QTimer>

namespace fanout {

/// Where the primary of a redis+sentinel:// URL is now, for RedisConnection, which asks before
/// every connection attempt: an address is never reused from an earlier answer.
///
/// resolve() asks the URL's sentinels in their order, `SENTINEL get-master-addr-by-name <master>`,
/// each on a connection of its own, until one answers with an address (resolved()). A sentinel that cannot be reached,
/// does not answer within QueryTimeoutMs or does not know the master is passed over; when none answers, failed() says
/// why for each. A resolve() while one runs is answered by that one, so connections to the same URL can share a
/// resolver (a node's two do). Sentinels are asked without credentials; one that refuses with NOAUTH is asked again,
/// and from then on, with the URL's user and password (those of the data nodes). With rediss+sentinel:// every
/// connection to a sentinel is TLS with the URL's settings.
///
/// From the first resolve() on it also listens on every sentinel (SUBSCRIBE +switch-master, a
/// subscribe connection each, reconnected and probed like any connection) and emits
/// primaryMoved() when one announces a new primary for the master, so that connections to the
/// old one reconnect at once instead of after their next failure.
class SentinelResolver : public QObject
{
    Q_OBJECT
public:
    static constexpr int QueryTimeoutMs = 2000;
    static constexpr int WatchProbeIntervalMs = 5000;

    /// url is a sentinel URL (RedisUrl::isSentinel()); clientName names the connections to the
    /// sentinels (CLIENT SETNAME).
    SentinelResolver(const RedisUrl &url, const QString &clientName, QObject *parent = nullptr);
    ~SentinelResolver() override;

    const RedisUrl &url() const { return m_url; }
    /// Starts asking the sentinels, unless that is under way; resolved() or failed() follows.
    void resolve();
    /// Empty when reply, the answer of the server at address to ROLE, says it is a primary;
    /// otherwise why it is not the one to use.
    QString roleFault(const RedisReply &reply, const RedisUrl::Address &address) const;

signals:
    void resolved(const fanout::RedisUrl::Address &primary);
    void failed(const QString &message);
    /// A sentinel announced (+switch-master) that the master's primary is now at primary.
    void primaryMoved(const fanout::RedisUrl::Address &primary);

private:
    void ask(qsizetype index);
    /// Settles the question from a connection's signal or handler, once out of it: settling closes
    /// the connection.
    void settleLater(quint64 question, const RedisReply &answer);
    /// Ends the current question with its answer (an error reply when the sentinel failed).
    void settle(quint64 question, const RedisReply &answer);
    /// Why a sentinel's answer gives no address; empty when it gives one.
    QString answerFault(qsizetype index, const RedisReply &answer) const;
    void watch(qsizetype index);
    void onSwitchMaster(const RedisReply &push);
    /// Whether a sentinel's error asks for credentials that the URL has and that were not given.
    bool asksForCredentials(const QByteArray &error, bool credentialsGiven) const;
    /// The sentinel at index is reached with the URL's credentials from now on.
    void authenticate(qsizetype index);
    RedisUrl sentinelUrl(qsizetype index) const;

    RedisUrl m_url;
    QString m_clientName;
    QList<bool> m_needsCredentials; ///< per sentinel
    RedisConnection *m_asker = nullptr; ///< the connection of the current question
    bool m_askerHasCredentials = false;
    QList<RedisConnection *> m_watchers; ///< per sentinel, once resolve() was called
    quint64 m_questions = 0; ///< the number of the current question
    qsizetype m_asking = -1; ///< the sentinel asked now; -1: no resolution under way
    QStringList m_faults; ///< of the sentinels passed over in this resolution
    QTimer m_questionTimeout;
    QByteArray m_lastSwitch; ///< the last +switch-master payload, heard from several sentinels
};

}
