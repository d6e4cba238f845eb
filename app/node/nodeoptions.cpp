#include "nodeoptions.h"

#include "node/roompresence.h"

#include <QCommandLineParser>

#include <QFile>
#include <QThread>
#include <QUrl>
#include <QUuid>
#include <algorithm>

namespace {

constexpr qint64 MaxThreads = 256;

using Outcome = NodeOptions::Outcome;
using ParseResult = NodeOptions::ParseResult;

/// fanout-node's options on their parser, which lists them in this order in --help; the
/// environment stands in for the options not given.
struct NodeCommandLine {
    explicit NodeCommandLine(const QProcessEnvironment &environment);

    /// The way out when the arguments do not parse or ask for the help or the version.
    std::optional<ParseResult> parse(const QStringList &arguments);
    /// Reads the values into options; the fault of the first bad one.
    std::optional<QString> read(NodeOptions *options) const;

    QString value(const QCommandLineOption &option, const char *variable) const;
    std::optional<QString> readHost(QHostAddress *host) const;
    std::optional<QString> readPort(quint16 *port) const;
    std::optional<QString> readRedis(std::optional<fanout::RedisUrl> *redis) const;
    std::optional<QString> readRedisTls(std::optional<fanout::RedisUrl> *redis) const;
    std::optional<QString> readNodeId(QString *nodeId) const;
    std::optional<QString> readNumbers(NodeOptions *options) const;
    std::optional<QString> readUsers(NodeOptions *options) const;
    std::optional<QString> readOrigins(QStringList *origins) const;

    const QProcessEnvironment &environment;
    QCommandLineParser parser;
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption hostOption {
        QStringLiteral("host"), QStringLiteral("Address to listen on (default 0.0.0.0)."), QStringLiteral("address")};
    const QCommandLineOption portOption {
        QStringLiteral("port"), QStringLiteral("Port to listen on; 0 picks a free one (env PORT, default 8080)."),
        QStringLiteral("port")};
    const QCommandLineOption redisOption {
        QStringLiteral("redis"),
        QStringLiteral("redis://[user:password@]host:port[/db], or rediss:// for TLS; through Sentinel "
                       "redis+sentinel://[user:password@]host:port[,host:port...]/master[/db], or rediss+sentinel:// "
                       "(env REDIS_URL); without it the node runs alone on an in-process broker."),
        QStringLiteral("url")};
    const QCommandLineOption redisCaOption {
        QStringLiteral("redis-ca"),
        QStringLiteral("rediss://: PEM file of the CAs the server's certificate must chain to (env REDIS_CA, "
                       "default the system's)."),
        QStringLiteral("file")};
    const QCommandLineOption redisCertOption {
        QStringLiteral("redis-cert"),
        QStringLiteral("rediss://: PEM client certificate, with --redis-key (env REDIS_CERT)."),
        QStringLiteral("file")};
    const QCommandLineOption redisKeyOption {
        QStringLiteral("redis-key"),
        QStringLiteral("rediss://: PEM private key of --redis-cert, unencrypted (env REDIS_KEY)."),
        QStringLiteral("file")};
    const QCommandLineOption redisProbeIntervalOption {
        QStringLiteral("redis-probe-interval"),
        QStringLiteral("Milliseconds of silence after which an idle Redis connection is sent PING; two more "
                       "without an answer and it is rebuilt (env REDIS_PROBE_INTERVAL, default %1; 0: no probe).")
            .arg(fanout::RedisBackedBroker::DefaultProbeIntervalMs),
        QStringLiteral("ms")};
    const QCommandLineOption nodeIdOption {
        QStringLiteral("node-id"),
        QStringLiteral("This node's id in envelopes and Redis client names (env NODE_ID, default a random UUID)."),
        QStringLiteral("id")};
    const QCommandLineOption prefixOption {QStringLiteral("prefix"),
                                           QStringLiteral("Channel prefix (env CHANNEL_PREFIX, default %1).")
                                               .arg(fanout::NodeConfig::DefaultChannelPrefix),
                                           QStringLiteral("prefix")};
    const QCommandLineOption historySizeOption {
        QStringLiteral("history-size"),
        QStringLiteral("Messages kept per room in a Redis stream, for gap-free recovery (env HISTORY_SIZE; "
                       "default 0: plain pub/sub)."),
        QStringLiteral("n")};
    const QCommandLineOption historyTtlOption {
        QStringLiteral("history-ttl"),
        QStringLiteral("Seconds a room's history outlives its last message (env HISTORY_TTL, default %1).")
            .arg(fanout::HistoryPolicy::DefaultTtlSeconds),
        QStringLiteral("seconds")};
    const QCommandLineOption tokenSecretOption {
        QStringLiteral("token-secret"),
        QStringLiteral("HS256 secret of client tokens (env TOKEN_SECRET); without one clients name themselves, "
                       "unverified."),
        QStringLiteral("secret")};
    const QCommandLineOption tokenSecretFileOption {
        QStringLiteral("token-secret-file"),
        QStringLiteral("Read the token secret from this file (env TOKEN_SECRET_FILE; one trailing newline is "
                       "dropped)."),
        QStringLiteral("file")};
    const QCommandLineOption presenceTtlOption {
        QStringLiteral("presence-ttl"),
        QStringLiteral("Seconds a presence entry lives without a refresh (env PRESENCE_TTL, default %1).")
            .arg(fanout::NodeConfig().presenceTtlSeconds),
        QStringLiteral("seconds")};
    const QCommandLineOption presenceNamespaceOption {
        QStringLiteral("presence-namespace"),
        QStringLiteral("The fleet's online list is {NS}:online and its events go on NS:updates; fleets sharing a "
                       "Redis each take their own (env PRESENCE_NAMESPACE, default %1, the seed's).")
            .arg(fanout::NodeConfig().presenceNamespace),
        QStringLiteral("ns")};
    const QCommandLineOption shardCountOption {
        QStringLiteral("shard-count"),
        QStringLiteral("Channels per room, for hot rooms: a sender's messages go to PREFIX+room+\":shard\"+k "
                       "(env SHARD_COUNT, default 1: PREFIX+room, as the seed's nodes)."),
        QStringLiteral("n")};
    const QCommandLineOption threadsOption {
        QStringLiteral("threads"),
        QStringLiteral("I/O threads, each serving its share of the connections (env THREADS, default the number of "
                       "cores, %1 here).")
            .arg(QThread::idealThreadCount()),
        QStringLiteral("n")};
    const QCommandLineOption metricsPortOption {
        QStringLiteral("metrics-port"),
        QStringLiteral("Serve GET /metrics, /healthz and /readyz on this port (env METRICS_PORT; default none; 0 "
                       "picks a free one)."),
        QStringLiteral("port")};
    const QCommandLineOption allowedOriginsOption {
        QStringLiteral("allowed-origins"),
        QStringLiteral("Comma-separated origins (https://app.example.com) whose browsers may connect; other "
                       "Origin headers get HTTP 403 (env ALLOWED_ORIGINS; default any)."),
        QStringLiteral("list")};
    const QCommandLineOption maxPublishRateOption {
        QStringLiteral("max-publish-rate"),
        QStringLiteral("Messages per second a connection may publish, with a burst of a quarter of it; past it "
                       "error rate_limited, and a flood is closed 4029 (env MAX_PUBLISH_RATE; default 0: no limit)."),
        QStringLiteral("n")};
    const QCommandLineOption drainSecondsOption {
        QStringLiteral("drain-seconds"),
        QStringLiteral("On SIGTERM, how long the node may take to drain its clients (env DRAIN_SECONDS, default 10)."),
        QStringLiteral("seconds")};
    const QCommandLineOption userPrefixOption {QStringLiteral("user-prefix"),
                                               QStringLiteral("Channel prefix of direct messages (env USER_PREFIX, "
                                                              "default %1).")
                                                   .arg(fanout::NodeConfig().userPrefix),
                                               QStringLiteral("prefix")};
};

NodeCommandLine::NodeCommandLine(const QProcessEnvironment &environment) : environment(environment)
{
    parser.setApplicationDescription(
        QStringLiteral("Fan-out WebSocket node: rooms of WebSocket clients, shared across a fleet of nodes "
                       "through Redis pub/sub (channel PREFIX+room, envelope {origin,room,payload,ts})."));
    parser.addOptions({hostOption,
                       portOption,
                       redisOption,
                       redisCaOption,
                       redisCertOption,
                       redisKeyOption,
                       redisProbeIntervalOption,
                       nodeIdOption,
                       prefixOption,
                       historySizeOption,
                       historyTtlOption,
                       shardCountOption,
                       tokenSecretOption,
                       tokenSecretFileOption,
                       presenceTtlOption,
                       presenceNamespaceOption,
                       userPrefixOption,
                       threadsOption,
                       metricsPortOption,
                       allowedOriginsOption,
                       maxPublishRateOption,
                       drainSecondsOption});
}

std::optional<ParseResult> NodeCommandLine::parse(const QStringList &arguments)
{
    if (!parser.parse(arguments))
        return ParseResult {Outcome::ExitError, parser.errorText()};
    if (parser.isSet(helpOption))
        return ParseResult {Outcome::ExitOk, parser.helpText()};
    if (parser.isSet(versionOption))
        return ParseResult {Outcome::ExitOk, QStringLiteral("fanout-node %1").arg(QStringLiteral(FANOUT_VERSION))};
    if (!parser.positionalArguments().isEmpty())
        return ParseResult {Outcome::ExitError,
                            QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first())};
    return std::nullopt;
}

std::optional<QString> NodeCommandLine::read(NodeOptions *options) const
{
    if (std::optional<QString> fault = readHost(&options->host))
        return fault;
    if (std::optional<QString> fault = readPort(&options->port))
        return fault;
    if (std::optional<QString> fault = readRedis(&options->redis))
        return fault;
    if (std::optional<QString> fault = readRedisTls(&options->redis))
        return fault;
    if (std::optional<QString> fault = readNodeId(&options->nodeId))
        return fault;
    const QString prefix = value(prefixOption, "CHANNEL_PREFIX");
    if (!prefix.isEmpty())
        options->channelPrefix = prefix;
    if (std::optional<QString> fault = readNumbers(options))
        return fault;
    if (options->threads == 0)
        options->threads = std::max(1, QThread::idealThreadCount());
    if (std::optional<QString> fault = readOrigins(&options->allowedOrigins))
        return fault;
    return readUsers(options);
}

std::optional<QString> NodeCommandLine::readUsers(NodeOptions *options) const
{
    const QString secret = value(tokenSecretOption, "TOKEN_SECRET");
    const QString secretFile = value(tokenSecretFileOption, "TOKEN_SECRET_FILE");
    if (!secret.isEmpty() && !secretFile.isEmpty())
        return QStringLiteral("--token-secret and --token-secret-file: give one of them");
    options->tokenSecret = secret.toUtf8();
    if (!secretFile.isEmpty()) {
        QFile file(secretFile);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("--token-secret-file: cannot read %1: %2").arg(secretFile, file.errorString());
        options->tokenSecret = file.readAll();
        if (options->tokenSecret.endsWith('\n'))
            options->tokenSecret.chop(options->tokenSecret.endsWith("\r\n") ? 2 : 1);
        if (options->tokenSecret.isEmpty())
            return QStringLiteral("--token-secret-file: %1 is empty").arg(secretFile);
    }
    const QString userPrefix = value(userPrefixOption, "USER_PREFIX");
    if (!userPrefix.isEmpty())
        options->userPrefix = userPrefix;
    if (options->userPrefix.startsWith(options->channelPrefix)
        || options->channelPrefix.startsWith(options->userPrefix))
        return QStringLiteral("--user-prefix: \"%1\" and the channel prefix \"%2\" overlap: a room and a user could "
                              "share a channel")
            .arg(options->userPrefix, options->channelPrefix);
    const QString presenceNamespace = value(presenceNamespaceOption, "PRESENCE_NAMESPACE");
    if (!presenceNamespace.isEmpty())
        options->presenceNamespace = presenceNamespace;
    if (options->presenceNamespace.contains(QLatin1Char('{')) || options->presenceNamespace.contains(QLatin1Char('}')))
        return QStringLiteral("--presence-namespace: \"%1\" may not hold { or }: it is the online list's hash tag")
            .arg(options->presenceNamespace);
    const QString updates = QString::fromUtf8(fanout::RoomPresence::updatesChannelOf(options->presenceNamespace));
    for (const QString *prefix : {&options->channelPrefix, &options->userPrefix}) {
        if (updates.startsWith(*prefix))
            return QStringLiteral("--prefix/--user-prefix/--presence-namespace: \"%1\" would make the presence "
                                  "channel \"%2\" a room's or a user's")
                .arg(*prefix, updates);
    }
    return std::nullopt;
}

std::optional<QString> NodeCommandLine::readNumbers(NodeOptions *options) const
{
    fanout::HistoryPolicy *history = &options->history;
    struct Field {
        const QCommandLineOption &option;
        const char *variable;
        qint64 *target;
        qint64 min;
        qint64 max;
    };
    for (const Field &field :
         {Field {historySizeOption, "HISTORY_SIZE", &history->size, 0, 10'000'000},
          Field {historyTtlOption, "HISTORY_TTL", &history->ttlSeconds, 1, 365 * 86400},
          Field {presenceTtlOption, "PRESENCE_TTL", &options->presenceTtlSeconds, 2, 86400},
          Field {redisProbeIntervalOption, "REDIS_PROBE_INTERVAL", &options->redisProbeIntervalMs, 0, 3'600'000},
          Field {shardCountOption, "SHARD_COUNT", &options->shardCount, 1, fanout::RoomChannels::MaxShards},
          Field {threadsOption, "THREADS", &options->threads, 1, MaxThreads},
          Field {metricsPortOption, "METRICS_PORT", &options->metricsPort, 0, 65535},
          Field {maxPublishRateOption, "MAX_PUBLISH_RATE", &options->maxPublishRate, 0, 1'000'000},
          Field {drainSecondsOption, "DRAIN_SECONDS", &options->drainSeconds, 0, 3600}}) {
        const QString text = value(field.option, field.variable);
        if (text.isEmpty())
            continue;
        bool ok = false;
        const qint64 number = text.toLongLong(&ok);
        if (!ok || number < field.min || number > field.max)
            return QStringLiteral("--%1/%2: \"%3\" is not a whole number in [%4, %5]")
                .arg(field.option.names().first(), QLatin1String(field.variable), text)
                .arg(field.min)
                .arg(field.max);
        *field.target = number;
    }
    if (options->shardCount > 1 && history->isOn())
        return QStringLiteral("--shard-count %1 and --history-size %2 cannot be combined: a room's history is one "
                              "ordered log, and shards would split it")
            .arg(options->shardCount)
            .arg(history->size);
    return std::nullopt;
}

/// The option's value, or else the environment variable's.
QString NodeCommandLine::value(const QCommandLineOption &option, const char *variable) const
{
    if (parser.isSet(option))
        return parser.value(option);
    return environment.value(QString::fromLatin1(variable));
}

std::optional<QString> NodeCommandLine::readOrigins(QStringList *origins) const
{
    const QString list = value(allowedOriginsOption, "ALLOWED_ORIGINS");
    for (const QString &item : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString origin = item.trimmed();
        const QUrl url(origin, QUrl::StrictMode);
        const bool web = url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
        if (!url.isValid() || !web || url.host().isEmpty() || !url.path().isEmpty() || url.hasQuery())
            return QStringLiteral("--allowed-origins/ALLOWED_ORIGINS: \"%1\" is not an origin such as "
                                  "https://app.example.com or http://localhost:3000")
                .arg(origin);
        origins->append(origin);
    }
    return std::nullopt;
}

std::optional<QString> NodeCommandLine::readHost(QHostAddress *host) const
{
    if (!parser.isSet(hostOption))
        return std::nullopt;
    const QString text = parser.value(hostOption);
    if (text == QLatin1String("localhost"))
        *host = QHostAddress::LocalHost;
    else if (!host->setAddress(text))
        return QStringLiteral("--host: \"%1\" is not an IP address").arg(text);
    return std::nullopt;
}

std::optional<QString> NodeCommandLine::readPort(quint16 *port) const
{
    const QString text = value(portOption, "PORT");
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const uint number = text.toUInt(&ok);
    if (!ok || number > 65535)
        return QStringLiteral("--port/PORT: \"%1\" is not a port number (0-65535)").arg(text);
    *port = quint16(number);
    return std::nullopt;
}

std::optional<QString> NodeCommandLine::readRedis(std::optional<fanout::RedisUrl> *redis) const
{
    const QString text = value(redisOption, "REDIS_URL");
    if (text.isEmpty())
        return std::nullopt;
    QString urlError;
    *redis = fanout::RedisUrl::parse(text, &urlError);
    if (!*redis)
        return QStringLiteral("--redis/REDIS_URL: %1").arg(urlError);
    return std::nullopt;
}

/// The TLS files belong to a rediss:// URL; they are read now, so that a bad one stops the node.
std::optional<QString> NodeCommandLine::readRedisTls(std::optional<fanout::RedisUrl> *redis) const
{
    const fanout::RedisTls::Files files {value(redisCaOption, "REDIS_CA"), value(redisCertOption, "REDIS_CERT"),
                                         value(redisKeyOption, "REDIS_KEY")};
    if (files.isEmpty())
        return std::nullopt;
    if (!*redis || !(*redis)->tls)
        return QStringLiteral("--redis-ca, --redis-cert and --redis-key are for a rediss:// (TLS) Redis URL");
    QString error;
    std::optional<fanout::RedisTls> tls = fanout::RedisTls::load(files, &error);
    if (!tls)
        return QStringLiteral("--redis-ca/--redis-cert/--redis-key: %1").arg(error);
    (*redis)->tlsSettings = std::move(*tls);
    return std::nullopt;
}

/// The id names the node's Redis connections, so it must be a valid Redis client name.
std::optional<QString> NodeCommandLine::readNodeId(QString *nodeId) const
{
    *nodeId = value(nodeIdOption, "NODE_ID");
    if (nodeId->isEmpty())
        *nodeId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (const QChar c : std::as_const(*nodeId)) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return QStringLiteral(
                       "--node-id/NODE_ID: \"%1\" may hold only printable ASCII without spaces (Redis client names)")
                .arg(*nodeId);
    }
    if (nodeId->size() > 128)
        return QStringLiteral("--node-id/NODE_ID: longer than 128 characters");
    return std::nullopt;
}

}

NodeOptions::ParseResult NodeOptions::parse(const QStringList &arguments, const QProcessEnvironment &environment,
                                            NodeOptions *options)
{
    NodeCommandLine commandLine(environment);
    if (std::optional<ParseResult> early = commandLine.parse(arguments))
        return *early;
    if (std::optional<QString> fault = commandLine.read(options))
        return {Outcome::ExitError, *fault};
    return {};
}
