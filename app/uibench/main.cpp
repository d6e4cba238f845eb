// Measures Fanout Studio's responsiveness while its simulation runs flat out: the window with
// 20 nodes, 100,000 virtual clients and 1,000 rooms, the engine at full speed on its worker
// thread. Prints one JSON line; see docs/performance.md.
#include "mainwindow.h"
#include "simulationcontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(q * double(values.size())))];
}

}

int main(int argc, char *argv[])
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Fanout Studio UI frame-time benchmark."));
    parser.addHelpOption();
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Wall seconds to measure (10)."),
                                     QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Virtual clients (100000)."),
                                     QStringLiteral("n"), QStringLiteral("100000"));
    parser.addOptions({seconds, clients});
    parser.process(app);

    fanout::Scenario scenario;
    scenario.name = QStringLiteral("uibench");
    scenario.nodes = 20;
    scenario.clients = parser.value(clients).toInt();
    scenario.rooms = 1000;
    scenario.publishRate = 20000;
    scenario.seconds = 3600;
    scenario.settleMs = 100;

    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    window.controller()->setSpeed(0);

    // A frame: one snapshot taken into every model, chart and view (MainWindow::lastRefreshMs)
    // plus a synchronous repaint of the whole window. A heartbeat timer at 30 Hz also measures
    // how late the UI thread serves its timers, which is what a user feels as lag.
    std::vector<double> refreshMs;
    std::vector<double> frameMs;
    std::vector<double> heartbeatLateMs;
    bool measuring = false;
    QObject::connect(&window, &MainWindow::refreshed, &window, [&] {
        QElapsedTimer paint;
        paint.start();
        window.repaint();
        if (measuring) {
            refreshMs.push_back(window.lastRefreshMs());
            frameMs.push_back(window.lastRefreshMs() + double(paint.nsecsElapsed()) / 1e6);
        }
    });
    QElapsedTimer heartbeatClock;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(33);
    QObject::connect(&heartbeat, &QTimer::timeout, &app, [&] {
        if (measuring)
            heartbeatLateMs.push_back(std::max(0.0, double(heartbeatClock.nsecsElapsed()) / 1e6 - 33.0));
        heartbeatClock.start();
    });

    QElapsedTimer setUp;
    setUp.start();
    window.startScenario(scenario);
    quint64 deliveriesAtStart = 0;
    double simAtStart = 0;
    QElapsedTimer measureClock;
    QTimer::singleShot(3000, &app, [&] { // let the set-up of 100,000 clients finish first
        deliveriesAtStart = window.controller()->lastSnapshot().socketDeliveries;
        simAtStart = window.controller()->lastSnapshot().simSeconds;
        measuring = true;
        measureClock.start();
        heartbeatClock.start();
        heartbeat.start();
    });
    QTimer::singleShot(3000 + int(parser.value(seconds).toDouble() * 1000), &app, [&] {
        measuring = false;
        const auto &last = window.controller()->lastSnapshot();
        const double wall = double(measureClock.nsecsElapsed()) / 1e9;
        const QJsonObject result {
            {"clients", scenario.clients},
            {"wall_seconds", wall},
            {"sim_seconds", last.simSeconds - simAtStart},
            {"deliveries_per_second", double(last.socketDeliveries - deliveriesAtStart) / wall},
            {"frames", double(frameMs.size())},
            {"refresh_ms_p50", percentile(refreshMs, 0.50)},
            {"refresh_ms_p99", percentile(refreshMs, 0.99)},
            {"frame_ms_p50", percentile(frameMs, 0.50)},
            {"frame_ms_p99", percentile(frameMs, 0.99)},
            {"frame_ms_max", percentile(frameMs, 1.0)},
            {"heartbeat_late_ms_p50", percentile(heartbeatLateMs, 0.50)},
            {"heartbeat_late_ms_p99", percentile(heartbeatLateMs, 0.99)},
        };
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        QApplication::quit();
    });
    return app.exec();
}
