#pragma once

#include "benchframes.h"
#include "redis/redisurl.h"

#include <QByteArray>
#include <QList>
#include <QStringList>
#include <QUrl>

#include <optional>

/// fanout-bench's settings.
struct BenchOptions {
    QList<QUrl> urls;
    int clients = 300;
    int rooms = 30;
    int senders = 30;
    double rate = 3000; ///< publishes per second, open loop; 0: closed loop
    int payloadBytes = 64;
    double seconds = 10;
    double warmupSeconds = 1;
    int threads = 1; ///< threads the load clients are spread over, each with its own event loop
    QList<qint64> pids; ///< server processes whose CPU is measured
    QString label;
    QString roomPrefix = QStringLiteral("bench-");
    int idleConnections = 0; ///< instead of a load: hold this many idle connections to urls[0]
    /// Instead of a load: presence mode (PresenceBench) with this many users in one room.
    int presenceUsers = 0;
    int presenceQueries = 200; ///< presence queries, one at a time
    int presenceAskers = 2; ///< clients per node that send them
    double presenceTtlSeconds = 60; ///< the nodes' --presence-ttl: a refresh every third of it
    QByteArray tokenSecret; ///< the nodes' token secret: users present signed tokens
    std::optional<fanout::RedisUrl> redis; ///< where to read INFO commandstats
    BenchFrames::Protocol protocol = BenchFrames::Protocol::Room;
    bool reconnect = false; ///< a lost client connects again to the next node
    QString lossLog; ///< where to write every lost delivery: publish time and reason

    /// Whether the run tells each lost delivery's reason (LossLedger).
    bool accountsLosses() const { return reconnect || !lossLog.isEmpty(); }

    enum class Outcome {
        Run,
        ExitOk,
        ExitError
    };
    struct ParseResult {
        Outcome outcome = Outcome::Run;
        QString message;
    };
    static ParseResult parse(const QStringList &arguments, BenchOptions *options);
};
