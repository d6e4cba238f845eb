#pragma once

#include "sim/simsnapshot.h"

#include <QObject>

namespace fanout {
class SimulationSet;
}
struct StudioOptions;

/// Runs one scenario without a window (every fleet of it), prints a summary on stderr, writes
/// the report and quits the application with 0 (run complete) or 1 (a fleet could not run).
class HeadlessRunner : public QObject
{
    Q_OBJECT
public:
    explicit HeadlessRunner(QObject *parent = nullptr) : QObject(parent) { }

    /// Returns an exit code when the run cannot start (bad scenario: 2, set-up failure: 1),
    /// or -1 when it has started and will quit the application itself.
    int start(const StudioOptions &options);

private:
    void onFinished();

    fanout::SimulationSet *m_fleets = nullptr;
    QString m_reportPath;
};
