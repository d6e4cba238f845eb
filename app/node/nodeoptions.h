#pragma once

#include "node/node.h"
#include "redis/redisbackedbroker.h"
#include "redis/redisurl.h"

#include <QHostAddress>
#include <QProcessEnvironment>
#include <QStringList>

#include <optional>

/// fanout-node's settings from its command line, with the seed's environment names as fallbacks.
struct NodeOptions {
    QHostAddress host = QHostAddress::Any;
    quint16 port = 8080;
    std::optional<fanout::RedisUrl> redis; ///< absent: a single node on the in-process broker
    qint64 redisProbeIntervalMs = fanout::RedisBackedBroker::DefaultProbeIntervalMs; ///< 0: no liveness probe
    QString nodeId;
    QString channelPrefix = fanout::NodeConfig::DefaultChannelPrefix;
    fanout::HistoryPolicy history; ///< size 0 (the default): plain pub/sub
    QByteArray tokenSecret; ///< empty: clients name themselves, unverified
    QString userPrefix = fanout::NodeConfig().userPrefix;
    qint64 presenceTtlSeconds = fanout::NodeConfig().presenceTtlSeconds;
    QString presenceNamespace = fanout::NodeConfig().presenceNamespace;
    qint64 shardCount = 1;
    qint64 threads = 0; ///< I/O threads; 0 until parsed, then the option or the number of cores
    qint64 metricsPort = -1; ///< the operations port (/metrics, /healthz, /readyz); -1: none, 0: any free one
    qint64 maxPublishRate = 0; ///< messages per second and connection; 0: no limit
    qint64 drainSeconds = 10; ///< how long a SIGTERM drain may take
    QStringList allowedOrigins; ///< empty: any origin

    fanout::NodeConfig nodeConfig() const
    {
        fanout::NodeConfig config {nodeId, channelPrefix, history, tokenSecret, userPrefix, int(presenceTtlSeconds)};
        config.presenceNamespace = presenceNamespace;
        config.shardCount = int(shardCount);
        return config;
    }

    enum class Outcome {
        Run,
        ExitOk,
        ExitError
    };
    struct ParseResult {
        Outcome outcome = Outcome::Run;
        QString message; ///< help or version text for ExitOk, the fault for ExitError
    };

    static ParseResult parse(const QStringList &arguments, const QProcessEnvironment &environment,
                             NodeOptions *options);
};
