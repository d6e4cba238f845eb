#include "nodeoptions.h"

#include <QCommandLineParser>
#include <QUuid>

NodeOptions::ParseResult NodeOptions::parse(const QStringList &arguments, const QProcessEnvironment &environment,
                                            NodeOptions *options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fan-out WebSocket node: rooms of WebSocket clients, shared across a fleet of nodes "
                       "through Redis pub/sub (channel PREFIX+room, envelope {origin,room,payload,ts})."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption hostOption(
        QStringLiteral("host"), QStringLiteral("Address to listen on (default 0.0.0.0)."), QStringLiteral("address"));
    const QCommandLineOption portOption(
        QStringLiteral("port"), QStringLiteral("Port to listen on; 0 picks a free one (env PORT, default 8080)."),
        QStringLiteral("port"));
    const QCommandLineOption redisOption(QStringLiteral("redis"),
                                         QStringLiteral("redis://[user:password@]host:port[/db] (env REDIS_URL); "
                                                        "without it the node runs alone on an in-process broker."),
                                         QStringLiteral("url"));
    const QCommandLineOption nodeIdOption(
        QStringLiteral("node-id"),
        QStringLiteral("This node's id in envelopes and Redis client names (env NODE_ID, default a random UUID)."),
        QStringLiteral("id"));
    const QCommandLineOption prefixOption(QStringLiteral("prefix"),
                                          QStringLiteral("Channel prefix (env CHANNEL_PREFIX, default %1).")
                                              .arg(fanout::NodeConfig::DefaultChannelPrefix),
                                          QStringLiteral("prefix"));
    parser.addOptions({hostOption, portOption, redisOption, nodeIdOption, prefixOption});

    const auto error = [](const QString &message) { return ParseResult {Outcome::ExitError, message}; };
    if (!parser.parse(arguments))
        return error(parser.errorText());
    if (parser.isSet(helpOption))
        return {Outcome::ExitOk, parser.helpText()};
    if (parser.isSet(versionOption))
        return {Outcome::ExitOk, QStringLiteral("fanout-node %1").arg(QStringLiteral(FANOUT_VERSION))};
    if (!parser.positionalArguments().isEmpty())
        return error(QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first()));

    const auto value = [&](const QCommandLineOption &option, const char *variable) -> QString {
        if (parser.isSet(option))
            return parser.value(option);
        return environment.value(QString::fromLatin1(variable));
    };

    if (parser.isSet(hostOption)) {
        const QString host = parser.value(hostOption);
        if (host == QLatin1String("localhost"))
            options->host = QHostAddress::LocalHost;
        else if (!options->host.setAddress(host))
            return error(QStringLiteral("--host: \"%1\" is not an IP address").arg(host));
    }

    const QString port = value(portOption, "PORT");
    if (!port.isEmpty()) {
        bool ok = false;
        const uint number = port.toUInt(&ok);
        if (!ok || number > 65535)
            return error(QStringLiteral("--port/PORT: \"%1\" is not a port number (0-65535)").arg(port));
        options->port = quint16(number);
    }

    const QString redis = value(redisOption, "REDIS_URL");
    if (!redis.isEmpty()) {
        QString urlError;
        options->redis = fanout::RedisUrl::parse(redis, &urlError);
        if (!options->redis)
            return error(QStringLiteral("--redis/REDIS_URL: %1").arg(urlError));
    }

    options->nodeId = value(nodeIdOption, "NODE_ID");
    if (options->nodeId.isEmpty())
        options->nodeId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (const QChar c : std::as_const(options->nodeId)) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return error(
                QStringLiteral(
                    "--node-id/NODE_ID: \"%1\" may hold only printable ASCII without spaces (Redis client names)")
                    .arg(options->nodeId));
    }
    if (options->nodeId.size() > 128)
        return error(QStringLiteral("--node-id/NODE_ID: longer than 128 characters"));

    const QString prefix = value(prefixOption, "CHANNEL_PREFIX");
    if (!prefix.isEmpty())
        options->channelPrefix = prefix;
    return {};
}
