#pragma once

#include "sim/scenario.h"
#include "sim/simsnapshot.h"

#include <QObject>
#include <QThread>

namespace fanout {
class SimulationSet;
}

/// Runs a scenario's fleets (a SimulationSet: one, or two side by side) on a worker thread so
/// that a busy fleet never freezes the window. Calls are queued to the worker; what comes back
/// (snapshots, events, console answers) arrives as signals on the caller's thread. The window
/// reads only what these signals carry. The first fleet is the one the window shows in full;
/// its console is the console.
class SimulationController : public QObject
{
    Q_OBJECT
public:
    explicit SimulationController(QObject *parent = nullptr);
    ~SimulationController() override;

    /// Replaces the running simulation with a new one; loaded() tells how it went.
    void load(const fanout::Scenario &scenario, const QString &redisUrl);
    void run();
    void pause();
    void step();
    /// 0: as fast as possible (in-process broker only), else a factor of real time.
    void setSpeed(double factor);
    /// On: a run goes on after the scenario's timed part until paused (SimulationSet::setRunsUntilStopped);
    /// kept for the simulations loaded later.
    void setRunsUntilStopped(bool on);
    /// A fault or change, exactly as a scenario step would make it (Simulation::apply).
    void apply(const fanout::ScenarioStep &step);
    /// Closes a real WebSocket session (`sim-1/3`) of the first fleet (Simulation::disconnectSession).
    void disconnectSession(const QString &id);

    /// Lessons: the run waits at each caption of the scenario's lesson (captionReached) until
    /// run(); off, captions pass.
    void setPauseAtCaptions(bool on);
    bool pausesAtCaptions() const { return m_pauseAtCaptions; }
    /// The scenario the run began with plus every change made to it since, each at its simulated
    /// time: a scenario that replays the session. recordingReady() brings it.
    void requestRecording();

    /// A redis-cli line for the simulation's broker; the answer comes with commandAnswered().
    void execute(const QString &commandLine);
    /// On a real Redis the console is read-only until writes are allowed.
    void setConsoleWritesAllowed(bool allowed);
    bool consoleWritesAllowed() const { return m_consoleWritesAllowed; }

    const fanout::Scenario &scenario() const { return m_scenario; }
    QString redisUrl() const { return m_redisUrl; }
    const fanout::SimSnapshot &lastSnapshot() const { return m_lastSnapshot; }

signals:
    void loaded(bool ok, const QString &error);
    /// The first fleet's snapshot.
    void snapshotUpdated(const fanout::SimSnapshot &snapshot);
    /// Every fleet's snapshot, when the scenario runs several side by side.
    void fleetSnapshotUpdated(int fleet, const fanout::SimSnapshot &snapshot);
    void eventLogged(double simSeconds, const QString &text);
    void commandAnswered(const QString &commandLine, const QString &answer);
    void consoleWritesAllowedChanged(bool allowed);
    /// The run waits at caption `index` of the scenario's lesson until run().
    void captionReached(int index);
    void recordingReady(const fanout::Scenario &recording);
    /// A step given to apply() took effect at `simSeconds` of the first fleet's time (one applied
    /// while the fleet sets up or after its run finished is not recorded, and not reported).
    void stepApplied(const fanout::ScenarioStep &step, double simSeconds);

private:
    template<typename Call>
    void onWorker(Call call);
    void connectSimulation(quint64 generation);

    QThread m_thread;
    QObject *m_worker;
    fanout::SimulationSet *m_fleets = nullptr; ///< touched on the worker thread only
    fanout::Scenario m_scenario;
    QString m_redisUrl;
    fanout::SimSnapshot m_lastSnapshot;
    double m_speed = 1.0;
    bool m_untilStopped = true;
    /// Counts loads: what an older simulation queued before it was replaced is dropped.
    quint64 m_generation = 0;
    bool m_consoleWritesAllowed = false;
    bool m_pauseAtCaptions = false;
};
