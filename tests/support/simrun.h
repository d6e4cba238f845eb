#pragma once

#include "sim/simsnapshot.h"
#include "sim/simulation.h"

#include <QSignalSpy>

#include <optional>

Q_DECLARE_METATYPE(fanout::SimSnapshot)

/// Runs a simulation to its end at `speed` (0: ticks back to back), on the in-process broker or
/// on redisUrl; its last snapshot, or nothing (with a warning) when it does not set up or finish
/// within three times its length plus 10 s. For the tests that link fanout-sim.
inline std::optional<fanout::SimSnapshot> runToEnd(fanout::Simulation &simulation, const QString &redisUrl = {},
                                                   double speed = 0)
{
    QString error;
    if (!simulation.setUp(redisUrl, &error)) {
        qWarning("%s", qPrintable(error));
        return std::nullopt;
    }
    QSignalSpy finished(&simulation, &fanout::Simulation::finished);
    simulation.setSpeed(speed);
    simulation.run();
    const int budgetMs = int((simulation.scenario().seconds * 1000 + simulation.scenario().settleMs) * 3) + 10000;
    if (!finished.wait(budgetMs)) {
        qWarning("the simulation did not finish within %d ms", budgetMs);
        return std::nullopt;
    }
    return finished.first().first().value<fanout::SimSnapshot>();
}
