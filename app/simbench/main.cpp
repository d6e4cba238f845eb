// Measures the simulation engine's socket deliveries per second with virtual clients, on the
// in-process broker, ticks back to back. Prints one JSON line; see docs/performance.md.
#include "sim/simulation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace {

qint64 statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

/// The scenario the command line asks for; --kill adds a node failure halfway and its restart.
fanout::Scenario scenarioFromCommandLine(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Simulation engine throughput benchmark."));
    parser.addHelpOption();
    const QCommandLineOption nodes(QStringLiteral("nodes"), QStringLiteral("Nodes (20)."), QStringLiteral("n"),
                                   QStringLiteral("20"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Virtual clients (100000)."),
                                     QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption rooms(QStringLiteral("rooms"), QStringLiteral("Rooms (1000)."), QStringLiteral("n"),
                                   QStringLiteral("1000"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Publishes per simulated second (20000)."),
                                  QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Simulated seconds (5)."),
                                     QStringLiteral("s"), QStringLiteral("5"));
    const QCommandLineOption kill(QStringLiteral("kill"),
                                  QStringLiteral("Kill node 0 halfway and restart it, to time faults at scale."));
    parser.addOptions({nodes, clients, rooms, rate, seconds, kill});
    parser.process(app);

    fanout::Scenario scenario;
    scenario.name = QStringLiteral("simbench");
    scenario.nodes = parser.value(nodes).toInt();
    scenario.clients = parser.value(clients).toInt();
    scenario.rooms = parser.value(rooms).toInt();
    scenario.publishRate = parser.value(rate).toDouble();
    scenario.seconds = parser.value(seconds).toDouble();
    scenario.settleMs = 100;
    if (parser.isSet(kill)) {
        scenario.steps.push_back({scenario.seconds / 2, fanout::ScenarioStep::Action::KillNode, 0, -1, 0});
        scenario.steps.push_back({scenario.seconds / 2 + 0.5, fanout::ScenarioStep::Action::RestartNode, 0, -1, 0});
    }
    return scenario;
}

/// What a run cost before its first tick.
struct SetUpCost {
    qint64 setUpMs = 0;
    qint64 connectMs = 0;
    qint64 rssAfterSetUpKiB = 0;
};

/// The JSON line of a finished run; the peak RSS is read now.
QJsonObject result(const fanout::Scenario &scenario, const fanout::SimSnapshot &snapshot, double wallSeconds,
                   const SetUpCost &cost)
{
    const quint64 deliveries = snapshot.socketDeliveries;
    return {
        {"nodes", scenario.nodes},
        {"clients", scenario.clients},
        {"rooms", scenario.rooms},
        {"publishes", double(snapshot.totals.published)},
        {"socket_deliveries", double(deliveries)},
        {"wall_seconds", wallSeconds},
        {"deliveries_per_second", double(deliveries) / wallSeconds},
        {"lost", double(snapshot.totals.lost)},
        {"duplicates", double(snapshot.totals.duplicates)},
        {"amplification", snapshot.amplification},
        {"setup_ms", double(cost.setUpMs)},
        {"connect_ms", double(cost.connectMs)},
        {"rss_after_setup_mib", cost.rssAfterSetUpKiB / 1024.0},
        {"peak_rss_mib", statusKiB("VmHWM:") / 1024.0},
    };
}

}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const fanout::Scenario scenario = scenarioFromCommandLine(app);

    QElapsedTimer setUpClock;
    setUpClock.start();
    fanout::Simulation simulation(scenario);
    QString error;
    if (!simulation.setUp(QString(), &error)) {
        std::fprintf(stderr, "simbench: %s\n", qPrintable(error));
        return 1;
    }
    SetUpCost cost;
    cost.setUpMs = setUpClock.elapsed();
    cost.rssAfterSetUpKiB = statusKiB("VmRSS:");
    // The clock starts with the first tick: connecting 100,000 clients (their joins and the
    // user_joined events) is set-up, timed apart.
    QElapsedTimer runClock;
    QObject::connect(&simulation, &fanout::Simulation::started, &app, [&] {
        cost.connectMs = setUpClock.elapsed() - cost.setUpMs;
        runClock.start();
    });
    QObject::connect(&simulation, &fanout::Simulation::finished, &app, [&](const fanout::SimSnapshot &snapshot) {
        const double wallSeconds = runClock.nsecsElapsed() / 1e9;
        const QJsonDocument line(result(scenario, snapshot, wallSeconds, cost));
        std::printf("%s\n", line.toJson(QJsonDocument::Compact).constData());
        QCoreApplication::quit();
    });
    simulation.setSpeed(0);
    simulation.run();
    return app.exec();
}
