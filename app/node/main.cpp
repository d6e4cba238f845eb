#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "node/node.h"
#include "node/noderecordpublisher.h"
#include "nodeoptions.h"
#include "opsendpoint.h"
#include "redis/redisbackedbroker.h"
#include "transport/threadednodeserver.h"
#include "unixsignalwatcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QTimer>

#include <memory>
#include <optional>
#include <utility>

#include <cstdio>

#include <sys/resource.h>

namespace {

/// Prints the help, the version or the fault; the exit code, or nothing when the node should run.
std::optional<int> exitCode(const NodeOptions::ParseResult &parsed)
{
    if (parsed.outcome == NodeOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == NodeOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-node: %s\nTry 'fanout-node --help'.\n", qPrintable(parsed.message));
        return 2;
    }
    return std::nullopt;
}

/// A Redis broker (also given in redisBroker) when the options name one, else one on an in-process
/// bus of its own. The node it is handed to owns it.
fanout::Broker *createBroker(const NodeOptions &options, QCoreApplication *app, fanout::RedisBackedBroker **redisBroker)
{
    if (options.redis) {
        *redisBroker = fanout::RedisBackedBroker::create(*options.redis, options.nodeId);
        (*redisBroker)->setProbeIntervalMs(int(options.redisProbeIntervalMs));
        return *redisBroker;
    }
    auto *bus = new fanout::InProcessBus(app);
    return new fanout::InProcessBroker(bus, options.nodeId);
}

/// A wildcard address tells the fleet nothing: other machines reach this node by its host name.
QString advertisedHost(const QHostAddress &address)
{
    return address == QHostAddress::Any || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        ? QHostInfo::localHostName()
        : address.toString();
}

QString urlHost(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(address.toString())
                                                               : address.toString();
}

void printListening(const fanout::ThreadedNodeServer &server, const NodeOptions &options)
{
    std::printf("listening ws://%s:%u\n", qPrintable(urlHost(server.address())), server.port());
    std::printf("node %s, broker %s, prefix %s, %d I/O threads\n", qPrintable(options.nodeId),
                options.redis ? qPrintable(options.redis->toDisplayString()) : "in-process",
                qPrintable(options.channelPrefix), server.threadCount());
    std::fflush(stdout);
}

/// SIGTERM (docs/operations.md, "Drain"): /readyz turns 503, the node stops accepting and closes
/// every client with 1001 after what is queued for it; once they are gone (each last member
/// unsubscribes its room) or the time is up, it withdraws its record and exits.
struct Drain {
    fanout::ThreadedNodeServer &server;
    OpsEndpoint *ops;
    fanout::NodeRecordPublisher *record;
    int seconds;
    bool started = false;

    void start()
    {
        if (std::exchange(started, true))
            return;
        if (ops)
            ops->startDraining();
        server.shutdown();
        auto *poll = new QTimer(&server);
        const qint64 deadline = QDateTime::currentMSecsSinceEpoch() + qint64(seconds) * 1000;
        QObject::connect(poll, &QTimer::timeout, &server, [this, poll, deadline] {
            if (server.sessionCount() > 0 && QDateTime::currentMSecsSinceEpoch() < deadline)
                return;
            poll->stop();
            if (record)
                record->withdraw();
            // The broker's last commands (the record, the unsubscribes) leave before the exit.
            QTimer::singleShot(200, QCoreApplication::instance(), &QCoreApplication::quit);
        });
        poll->start(50);
    }
};

/// Every connection is a descriptor: the soft limit (often 1024) goes up to the hard one.
void raiseOpenFileLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fanout-node"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FANOUT_VERSION));

    NodeOptions options;
    if (const std::optional<int> code
        = exitCode(NodeOptions::parse(app.arguments(), QProcessEnvironment::systemEnvironment(), &options)))
        return *code;

    raiseOpenFileLimit();
    if (options.tokenSecret.isEmpty())
        std::fprintf(stderr, "fanout-node: no --token-secret: clients may name themselves, unverified\n");

    fanout::RedisBackedBroker *redisBroker = nullptr;
    fanout::Broker *broker = createBroker(options, &app, &redisBroker);
    fanout::ThreadedNodeServer server(options.nodeConfig(), broker, int(options.threads));
    if (!server.listen(options.host, options.port)) {
        std::fprintf(stderr, "fanout-node: cannot listen on %s:%u: %s\n", qPrintable(options.host.toString()),
                     options.port, qPrintable(server.errorString()));
        return 1;
    }

    std::unique_ptr<fanout::NodeRecordPublisher> record;
    if (redisBroker) {
        const fanout::NodeRecordPublisher::Identity identity {
            options.nodeId, options.channelPrefix,
            QStringLiteral("ws://%1:%2").arg(advertisedHost(server.address())).arg(server.port()),
            QStringLiteral(FANOUT_VERSION)};
        record = std::make_unique<fanout::NodeRecordPublisher>(identity, redisBroker, [&server] {
            const fanout::NodeMetrics metrics = server.metrics();
            QStringList rooms(metrics.rooms.cbegin(), metrics.rooms.cend());
            rooms.sort();
            return fanout::NodeRecordPublisher::Clients {rooms,
                                                         server.sessionCount(),
                                                         metrics.node.published,
                                                         server.broker()->stats().messagesReceived,
                                                         metrics.node.deliveries,
                                                         metrics.pubsubLag};
        });
        QObject::connect(&server, &fanout::ThreadedNodeServer::roomsChanged, record.get(),
                         &fanout::NodeRecordPublisher::roomsChanged);
    }

    server.setAllowedOrigins(options.allowedOrigins);
    server.setMaxPublishRate(int(options.maxPublishRate));
    std::unique_ptr<OpsEndpoint> ops;
    if (options.metricsPort >= 0) {
        ops = std::make_unique<OpsEndpoint>(&server);
        if (!ops->listen(options.host, quint16(options.metricsPort))) {
            std::fprintf(stderr, "fanout-node: cannot serve metrics on %s:%lld\n", qPrintable(options.host.toString()),
                         options.metricsPort);
            return 1;
        }
    }

    UnixSignalWatcher signalWatcher;
    Drain drain {server, ops.get(), record.get(), int(options.drainSeconds)};
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &app, [&drain](int) { drain.start(); });

    printListening(server, options);
    if (ops) {
        std::printf("metrics http://%s:%u/metrics\n", qPrintable(urlHost(server.address())), ops->port());
        std::fflush(stdout);
    }
    return app.exec();
}
