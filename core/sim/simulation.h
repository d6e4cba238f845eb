#pragma once

#include "deliveryledger.h"
#include "faulttimeline.h"
#include "scenario.h"
#include "simsnapshot.h"
#include "tracebuffer.h"
#include "trafficgenerator.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace fanout {

class InProcessBus;
class PresenceWatch;
class RedisConnection;
class RedisConsole;
class SimClock;
class SimFaults;
class SimFleet;

/// An in-process fleet running the real Node, ClientProtocol, RoomRegistry and Broker code
/// with virtual clients, driven tick by tick: each tick runs the scenario steps due, cuts off
/// overflowing slow clients, reconnects clients whose delay is over, lets slow clients consume,
/// then publishes its share of the traffic. Deliveries happen on the event loop in between,
/// exactly as in a server. Every simulated message is accounted for in a DeliveryLedger.
/// Nothing outside reads the engine's internals: snapshots are copies.
class Simulation : public QObject
{
    Q_OBJECT
public:
    using Phase = SimPhase;

    /// One fleet: a side-by-side scenario (Scenario::Delivery::Both) runs its first fleet here;
    /// split it with Scenario::fleets() and run one Simulation per fleet.
    explicit Simulation(const Scenario &scenario, QObject *parent = nullptr);
    ~Simulation() override;

    /// Starts the nodes on the in-process bus (empty URL) or on Redis. Clients connect once
    /// every broker is connected.
    bool setUp(const QString &redisUrl, QString *error);
    /// Starts or resumes ticking at the speed set, once clients are connected and subscribed.
    void run();
    void pause();
    /// Runs one tick while paused.
    void step();
    Phase phase() const { return m_phase; }
    void setSnapshotInterval(int milliseconds) { m_snapshotTimer.setInterval(milliseconds); }
    /// A factor of wall-clock speed (0.1 is slow motion); 0 runs ticks back to back, on the
    /// in-process broker only (Redis runs in real time, so there 0 means 1).
    void setSpeed(double factor);
    /// Lessons: pause before the tick of each caption of the scenario's lesson and tell
    /// (captionReached); off, captions pass silently (headless runs).
    void setPauseAtCaptions(bool on) { m_pauseAtCaptions = on; }
    /// On: traffic goes on after the scenario's `seconds` (its timed steps are over) until
    /// pause; the run never settles and finishes. Off (the default, headless runs): it stops
    /// after `seconds` and the settle window. Takes effect at once, mid-run too.
    void setRunsUntilStopped(bool on);

    /// How a broker is named to users: "in-process" (empty URL) or the Redis URL without the
    /// password it may carry.
    static QString brokerName(const QString &redisUrl);

    /// Carries out a fault or change: the scenario's timed steps and the studio's menus both
    /// come here.
    void apply(const ScenarioStep &step);
    /// Closes a real WebSocket session of one of the nodes (SimFaults::disconnectSession).
    void disconnectSession(const QString &id);
    /// The redis-cli console of the simulation's broker (read-only by default on Redis).
    RedisConsole *console() const { return m_console; }

    const Scenario &scenario() const { return m_scenario; }
    QUrl nodeUrl(int node) const;
    /// The ports the nodes listen on, in node order.
    std::vector<quint16> nodePorts() const;
    /// Before setUp(): node i listens on ports[i] (a reset keeps the ws:// URLs users copied).
    void setNodePorts(std::vector<quint16> ports) { m_nodePorts = std::move(ports); }
    qint64 tick() const { return m_tick; }
    double simSeconds() const;
    SimSnapshot snapshot() const;
    std::optional<MessageTrace> trace(quint64 key) const { return m_traces.find(key); }
    std::vector<MessageTrace> latestTraces(qsizetype count) const { return m_traces.latest(count); }
    quint64 deliveredTo(int client) const { return m_ledger.deliveredTo(client); }
    quint64 lostBy(int client) const { return m_ledger.lostBy(client); }
    /// The user_joined/user_left events the protocol sent a virtual client.
    quint64 eventsReceivedBy(int client) const;

signals:
    /// Setup is over: clients are connected and subscribed, the first tick runs.
    void started();
    void snapshotReady(const fanout::SimSnapshot &snapshot);
    void finished(const fanout::SimSnapshot &snapshot);
    void errorOccurred(const QString &message);
    /// Something a user would want in a log: a fault, a reconnection, a node's broker state.
    void eventLogged(double simSeconds, const QString &text);
    /// The run paused at caption `index` of the scenario's lesson; run() goes on.
    void captionReached(int index);

private:
    void logEvent(const QString &text);
    void waitForFleet();
    void pollSetup();
    void beginRun();
    void startTicking();
    /// The ticks of traffic the scenario's `seconds` make.
    qint64 plannedTrafficTicks() const;
    void onTicksDue(int count);
    void runTick();
    bool pausedAtCaption();
    void runDueSteps();
    void cutOffOverflowedClients();
    void publishTick();
    void finish();
    void carryOut(const ScenarioStep &step);
    void onNodeLinkChanged(int node, bool connected);
    void onExternalPublished(quint64 key, int node, quint64 id, const QByteArray &channel, const QList<int> &members);

    Scenario m_scenario;
    QString m_brokerName; ///< "in-process" or the Redis URL without its password
    bool m_onRedis = false;
    bool m_ready = false; ///< set up without error: only then may it run
    std::unique_ptr<InProcessBus> m_bus;
    RedisConnection *m_consoleConnection = nullptr;
    RedisConsole *m_console = nullptr;
    std::vector<quint64> m_sentBy; ///< publishes each client has made: the sequence in its payloads
    TrafficGenerator m_generator;
    FaultTimeline m_timeline;
    TraceBuffer m_traces;
    DeliveryLedger m_ledger;
    SimFleet *m_fleet;
    SimClock *m_clock;
    SimFaults *m_faults = nullptr; ///< once set up
    PresenceWatch *m_presence = nullptr; ///< with users only

    Phase m_phase = Phase::Setup;
    bool m_runRequested = false;
    bool m_setupPolling = false;
    quint64 m_setupMessages = 0;
    int m_quietSetupPolls = 0;
    qint64 m_tick = 0;
    bool m_pauseAtCaptions = false;
    size_t m_nextCaption = 0;
    qint64 m_trafficTicks = 0;
    bool m_untilStopped = false;
    std::vector<quint16> m_nodePorts; ///< wished for at setUp()
    qint64 m_settleTicks = 0;
    size_t m_nextStep = 0;
    double m_publishRate = 0;
    quint64 m_skippedPublishes = 0;
    quint64 m_refusedPublishes = 0;
    quint64 m_slowDisconnects = 0;
    QTimer m_snapshotTimer;
    QElapsedTimer m_wallClock;
};

}
