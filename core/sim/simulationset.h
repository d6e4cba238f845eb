#pragma once

#include "scenario.h"
#include "sessionrecording.h"
#include "simsnapshot.h"

#include <QObject>

#include <vector>

namespace fanout {

class Simulation;

/// The fleets of one scenario, run together: one Simulation per Scenario::fleets() entry (two
/// side by side for Scenario::Delivery::Both, each with its own broker connections, channels
/// and ledger). Every command goes to every fleet, so they see the same traffic and the same
/// faults at the same ticks. With one fleet this is just that Simulation.
class SimulationSet : public QObject
{
    Q_OBJECT
public:
    explicit SimulationSet(const Scenario &scenario, QObject *parent = nullptr);

    /// Sets every fleet up on the same broker (see Simulation::setUp); stops at the first error.
    bool setUp(const QString &redisUrl, QString *error);
    void run();
    void pause();
    void step();
    void setSpeed(double factor);
    /// Each fleet's node ports (Simulation::nodePorts), and the same wished for before setUp():
    /// a set that replaces another keeps its URLs.
    std::vector<std::vector<quint16>> nodePorts() const;
    void setNodePorts(const std::vector<std::vector<quint16>> &ports);
    /// See Simulation::setRunsUntilStopped.
    void setRunsUntilStopped(bool on);
    void apply(const ScenarioStep &step);
    /// A real WebSocket session of the first fleet, the one the studio lists (not recorded:
    /// a replay would not have it).
    void disconnectSession(const QString &id);
    /// Lessons: every fleet pauses at each caption; the first fleet tells (captionReached).
    void setPauseAtCaptions(bool on);
    /// The scenario this set began with plus everything apply() did, at its time.
    Scenario recording() const { return m_recording.scenario(); }

    int count() const { return int(m_fleets.size()); }
    Simulation *fleet(int index) const { return m_fleets[size_t(index)]; }
    /// Whether some fleet is still connecting.
    bool isSettingUp() const;
    /// A fleet's last snapshot, the one its run finished with (a finished fleet's nodes may
    /// still hear late arrivals while the other one runs; the report is what was settled).
    const SimSnapshot &finalSnapshot(int index) const { return m_final[size_t(index)]; }

signals:
    void snapshotReady(int fleet, const fanout::SimSnapshot &snapshot);
    /// Every fleet has finished; finalSnapshot() has each one's last snapshot.
    void finished();
    void errorOccurred(const QString &message);
    /// A fleet's event, its text prefixed with the fleet's name when there are several.
    void eventLogged(double simSeconds, const QString &text);
    void captionReached(int index);
    /// apply() took `step` at `atSeconds` of simulated time and recorded it.
    void applied(const fanout::ScenarioStep &step, double atSeconds);

private:
    std::vector<Simulation *> m_fleets;
    std::vector<SimSnapshot> m_final;
    int m_finished = 0;
    SessionRecording m_recording;
};

}
