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

/// What the command line asks for.
struct UiBenchOptions {
    double seconds; ///< wall seconds to measure
    int clients;
};

UiBenchOptions parseCommandLine(const QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Fanout Studio UI frame-time benchmark."));
    parser.addHelpOption();
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Wall seconds to measure (10)."),
                                     QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Virtual clients (100000)."),
                                     QStringLiteral("n"), QStringLiteral("100000"));
    parser.addOptions({seconds, clients});
    parser.process(app);
    return {parser.value(seconds).toDouble(), parser.value(clients).toInt()};
}

/// Runs longer than any measurement, so the load never stops while it is measured.
fanout::Scenario benchScenario(int clients)
{
    fanout::Scenario scenario;
    scenario.name = QStringLiteral("uibench");
    scenario.nodes = 20;
    scenario.clients = clients;
    scenario.rooms = 1000;
    scenario.publishRate = 20000;
    scenario.seconds = 3600;
    scenario.settleMs = 100;
    return scenario;
}

/// Measures the window between start() and finish(). A frame: one snapshot taken into every
/// model, chart and view (MainWindow::lastRefreshMs) plus a synchronous repaint of the whole
/// window. A heartbeat timer at 30 Hz also measures how late the UI thread serves its timers,
/// which is what a user feels as lag.
class FrameMeter
{
public:
    explicit FrameMeter(MainWindow *window);

    void start();
    /// Stops measuring; what was measured, as JSON.
    QJsonObject finish();

private:
    void onRefreshed();
    void onHeartbeat();

    MainWindow *m_window;
    bool m_measuring = false;
    std::vector<double> m_refreshMs;
    std::vector<double> m_frameMs;
    std::vector<double> m_heartbeatLateMs;
    QTimer m_heartbeat;
    QElapsedTimer m_heartbeatClock;
    QElapsedTimer m_measureClock;
    quint64 m_deliveriesAtStart = 0;
    double m_simSecondsAtStart = 0;
};

FrameMeter::FrameMeter(MainWindow *window) : m_window(window)
{
    QObject::connect(window, &MainWindow::refreshed, window, [this] { onRefreshed(); });
    m_heartbeat.setTimerType(Qt::PreciseTimer);
    m_heartbeat.setInterval(33);
    QObject::connect(&m_heartbeat, &QTimer::timeout, &m_heartbeat, [this] { onHeartbeat(); });
}

void FrameMeter::start()
{
    m_deliveriesAtStart = m_window->controller()->lastSnapshot().socketDeliveries;
    m_simSecondsAtStart = m_window->controller()->lastSnapshot().simSeconds;
    m_measuring = true;
    m_measureClock.start();
    m_heartbeatClock.start();
    m_heartbeat.start();
}

QJsonObject FrameMeter::finish()
{
    m_measuring = false;
    const auto &last = m_window->controller()->lastSnapshot();
    const double wallSeconds = double(m_measureClock.nsecsElapsed()) / 1e9;
    return {
        {"wall_seconds", wallSeconds},
        {"sim_seconds", last.simSeconds - m_simSecondsAtStart},
        {"deliveries_per_second", double(last.socketDeliveries - m_deliveriesAtStart) / wallSeconds},
        {"frames", double(m_frameMs.size())},
        {"refresh_ms_p50", percentile(m_refreshMs, 0.50)},
        {"refresh_ms_p99", percentile(m_refreshMs, 0.99)},
        {"frame_ms_p50", percentile(m_frameMs, 0.50)},
        {"frame_ms_p99", percentile(m_frameMs, 0.99)},
        {"frame_ms_max", percentile(m_frameMs, 1.0)},
        {"heartbeat_late_ms_p50", percentile(m_heartbeatLateMs, 0.50)},
        {"heartbeat_late_ms_p99", percentile(m_heartbeatLateMs, 0.99)},
    };
}

void FrameMeter::onRefreshed()
{
    QElapsedTimer paint;
    paint.start();
    m_window->repaint();
    if (m_measuring) {
        m_refreshMs.push_back(m_window->lastRefreshMs());
        m_frameMs.push_back(m_window->lastRefreshMs() + double(paint.nsecsElapsed()) / 1e6);
    }
}

void FrameMeter::onHeartbeat()
{
    if (m_measuring)
        m_heartbeatLateMs.push_back(std::max(0.0, double(m_heartbeatClock.nsecsElapsed()) / 1e6 - 33.0));
    m_heartbeatClock.start();
}

}

int main(int argc, char *argv[])
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    const UiBenchOptions options = parseCommandLine(app);
    const fanout::Scenario scenario = benchScenario(options.clients);

    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    window.controller()->setSpeed(0);
    FrameMeter meter(&window);

    // Measure from the first snapshot after set-up (connecting 100,000 clients takes seconds).
    bool started = false;
    QObject::connect(window.controller(), &SimulationController::snapshotUpdated, &app,
                     [&](const fanout::SimSnapshot &snapshot) {
                         if (started || snapshot.phase == fanout::SimPhase::Setup)
                             return;
                         started = true;
                         meter.start();
                         QTimer::singleShot(int(options.seconds * 1000), &app, [&] {
                             QJsonObject result = meter.finish();
                             result.insert(QStringLiteral("clients"), scenario.clients);
                             std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
                             QApplication::quit();
                         });
                     });
    window.startScenario(scenario);
    return app.exec();
}
