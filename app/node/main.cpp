#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "node/node.h"
#include "node/noderecordpublisher.h"
#include "nodeoptions.h"
#include "redis/redisbroker.h"
#include "transport/nodeserver.h"
#include "unixsignalwatcher.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QTimer>

#include <memory>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fanout-node"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FANOUT_VERSION));

    NodeOptions options;
    const NodeOptions::ParseResult parsed
        = NodeOptions::parse(app.arguments(), QProcessEnvironment::systemEnvironment(), &options);
    if (parsed.outcome == NodeOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == NodeOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-node: %s\nTry 'fanout-node --help'.\n", qPrintable(parsed.message));
        return 2;
    }

    fanout::Broker *broker = nullptr;
    fanout::RedisBroker *redisBroker = nullptr;
    if (options.redis) {
        broker = redisBroker = new fanout::RedisBroker(*options.redis, options.nodeId);
    } else {
        auto *bus = new fanout::InProcessBus(&app);
        broker = new fanout::InProcessBroker(bus, options.nodeId);
    }
    fanout::Node node({options.nodeId, options.channelPrefix}, broker);
    fanout::NodeServer server(&node);
    if (!server.listen(options.host, options.port)) {
        std::fprintf(stderr, "fanout-node: cannot listen on %s:%u: %s\n", qPrintable(options.host.toString()),
                     options.port, qPrintable(server.errorString()));
        return 1;
    }

    std::unique_ptr<fanout::NodeRecordPublisher> record;
    if (redisBroker) {
        const QString advertised = server.address() == QHostAddress::Any || server.address() == QHostAddress::AnyIPv4
                || server.address() == QHostAddress::AnyIPv6
            ? QHostInfo::localHostName()
            : server.address().toString();
        record = std::make_unique<fanout::NodeRecordPublisher>(
            &node, redisBroker, QStringLiteral("ws://%1:%2").arg(advertised).arg(server.port()),
            QStringLiteral(FANOUT_VERSION));
    }

    UnixSignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &app, [&](int) {
        if (record)
            record->withdraw();
        server.shutdown();
        QTimer::singleShot(200, &app, &QCoreApplication::quit);
    });

    const QString host = server.address().protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(server.address().toString())
        : server.address().toString();
    std::printf("listening ws://%s:%u\n", qPrintable(host), server.port());
    std::printf("node %s, broker %s, prefix %s\n", qPrintable(options.nodeId),
                options.redis ? qPrintable(options.redis->toDisplayString()) : "in-process",
                qPrintable(options.channelPrefix));
    std::fflush(stdout);
    return app.exec();
}
