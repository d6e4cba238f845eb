#pragma once

#include <QList>
#include <QStringList>
#include <QUrl>

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
    QList<qint64> pids; ///< server processes whose CPU is measured
    QString label;
    int idleConnections = 0; ///< instead of a load: hold this many idle connections to urls[0]

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
