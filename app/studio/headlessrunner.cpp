#include "headlessrunner.h"

#include "sim/simulation.h"
#include "studiooptions.h"

#include <QCoreApplication>
#include <QFile>
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
    m_simulation = new fanout::Simulation(*scenario, this);
    connect(m_simulation, &fanout::Simulation::errorOccurred, this, &printError);
    connect(m_simulation, &fanout::Simulation::eventLogged, this,
            [](double at, const QString &text) { std::fprintf(stderr, "  t=%6.2fs  %s\n", at, qPrintable(text)); });
    connect(m_simulation, &fanout::Simulation::finished, this, &HeadlessRunner::onFinished);
    if (!m_simulation->setUp(options.broker, &error)) {
        printError(error);
        return 1;
    }
    QTimer::singleShot(SetUpTimeoutMs, this, [this] {
        if (m_simulation->phase() == fanout::Simulation::Phase::Setup) {
            printError(
                QStringLiteral("the fleet did not connect to its broker within %1 s").arg(SetUpTimeoutMs / 1000));
            QCoreApplication::exit(1);
        }
    });
    std::fprintf(stderr, "fanout-studio: scenario %s, %g s on %s\n", qPrintable(scenario->name), scenario->seconds,
                 options.broker.isEmpty() ? "the in-process broker"
                                          : qPrintable(fanout::Simulation::brokerName(options.broker)));
    m_simulation->setSpeed(options.realTime ? 1.0 : 0.0);
    m_simulation->run();
    return -1;
}

void HeadlessRunner::onFinished(const fanout::SimSnapshot &snapshot)
{
    const QJsonObject report = snapshot.toReport();
    const QByteArray json = QJsonDocument(report).toJson(QJsonDocument::Indented);
    std::fprintf(stderr,
                 "published %llu, expected %llu, delivered %llu, lost %llu, duplicates %llu, "
                 "amplification %.2f, latency p50 %.3f ms p99 %.3f ms\n",
                 snapshot.totals.published, snapshot.totals.expected, snapshot.totals.delivered, snapshot.totals.lost,
                 snapshot.totals.duplicates, snapshot.amplification, snapshot.latencyP50Ms, snapshot.latencyP99Ms);
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
