#include "headlessrunner.h"

#include "sim/simulation.h"
#include "sim/simulationset.h"
#include "studiooptions.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>

namespace {
constexpr int SetUpTimeoutMs = 15000;

void printError(const QString &message)
{
    std::fprintf(stderr, "fanout-studio: %s\n", qPrintable(message));
}
}

int HeadlessRunner::start(const StudioOptions &options)
{
    QString error;
    std::optional<fanout::Scenario> scenario = fanout::Scenario::load(options.scenario, &error);
    if (!scenario) {
        printError(error);
        return 2;
    }
    if (options.seconds > 0)
        scenario->seconds = options.seconds;
    m_reportPath = options.reportPath;
    m_fleets = new fanout::SimulationSet(*scenario, this);
    connect(m_fleets, &fanout::SimulationSet::errorOccurred, this, &printError);
    connect(m_fleets, &fanout::SimulationSet::eventLogged, this,
            [](double at, const QString &text) { std::fprintf(stderr, "  t=%6.2fs  %s\n", at, qPrintable(text)); });
    connect(m_fleets, &fanout::SimulationSet::finished, this, &HeadlessRunner::onFinished);
    if (!m_fleets->setUp(options.broker, &error)) {
        printError(error);
        return 1;
    }
    QTimer::singleShot(SetUpTimeoutMs, this, [this] {
        if (m_fleets->isSettingUp()) {
            printError(
                QStringLiteral("the fleet did not connect to its broker within %1 s").arg(SetUpTimeoutMs / 1000));
            QCoreApplication::exit(1);
        }
    });
    std::fprintf(stderr, "fanout-studio: scenario %s, %g s on %s\n", qPrintable(scenario->name), scenario->seconds,
                 options.broker.isEmpty() ? "the in-process broker"
                                          : qPrintable(fanout::Simulation::brokerName(options.broker)));
    m_fleets->setSpeed(options.realTime ? 1.0 : 0.0);
    m_fleets->run();
    return -1;
}

void HeadlessRunner::onFinished()
{
    QJsonArray fleetReports;
    for (int i = 0; i < m_fleets->count(); ++i) {
        const fanout::SimSnapshot &snapshot = m_fleets->finalSnapshot(i);
        const auto &totals = snapshot.totals;
        std::fprintf(stderr,
                     "%s: published %llu, expected %llu, delivered %llu (recovered %llu), lost %llu, duplicates %llu, "
                     "amplification %.2f, latency p50 %.3f ms p99 %.3f ms\n",
                     qPrintable(snapshot.delivery), totals.published, totals.expected, totals.delivered,
                     totals.recovered, totals.lost, totals.duplicates, snapshot.amplification, snapshot.latencyP50Ms,
                     snapshot.latencyP99Ms);
        fleetReports.append(snapshot.toReport());
    }
    // One fleet: its report as it is. Side by side: the fleets' reports in one object.
    const QJsonObject report = fleetReports.size() == 1
        ? fleetReports.first().toObject()
        : QJsonObject {{"scenario", m_fleets->fleet(0)->scenario().name},
                       {"delivery", QStringLiteral("both")},
                       {"fleets", fleetReports}};
    const QByteArray json = QJsonDocument(report).toJson(QJsonDocument::Indented);
    if (m_reportPath == QLatin1String("-")) {
        std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
    } else if (!m_reportPath.isEmpty()) {
        QFile file(m_reportPath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size()) {
            printError(QStringLiteral("cannot write %1: %2").arg(m_reportPath, file.errorString()));
            QCoreApplication::exit(1);
            return;
        }
    }
    QCoreApplication::exit(0);
}
