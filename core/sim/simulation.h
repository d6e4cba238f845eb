#pragma once

#include "deliveryledger.h"
#include "faulttimeline.h"
#include "loadbalancer.h"
#include "scenario.h"
#include "simsnapshot.h"
#include "tracebuffer.h"
#include "trafficgenerator.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace fanout {

class InProcessBus;
class RedisConnection;
class SimNode;
class VirtualClient;

/// An in-process fleet running the real Node, RoomRegistry and Broker code with virtual clients,
/// driven tick by tick: each tick runs the scenario steps due, reconnects clients whose delay is
/// over, lets slow clients consume, then publishes its share of the traffic. Deliveries happen on
/// the event loop in between, exactly as in a server. Every simulated message is accounted for
/// in a DeliveryLedger. Nothing outside reads the engine's internals: snapshots are copies.
class Simulation : public QObject
{
    Q_OBJECT
public:
    enum class Pace {
        RealTime, ///< one tick per tick_ms of wall time
        Fast      ///< ticks back to back (in-process broker only: Redis runs in real time)
    };
    enum class Phase { Setup, Running, Paused, Settling, Finished };
    Q_ENUM(Phase)

    explicit Simulation(const Scenario &scenario, QObject *parent = nullptr);
    ~Simulation() override;

    /// Starts the nodes on the in-process bus (empty URL) or on Redis and places the clients.
    bool setUp(const QString &redisUrl, QString *error);
    /// Starts or resumes ticking, once every broker is connected and subscribed.
    void run(Pace pace = Pace::RealTime);
    void pause();
    /// Runs one tick while paused.
    void step();
    Phase phase() const { return m_phase; }
    void setSnapshotInterval(int milliseconds) { m_snapshotTimer.setInterval(milliseconds); }
    /// Real-time pace at `factor` times wall-clock speed (0.1 is slow motion for teaching);
    /// 0 runs ticks back to back (in-process broker only).
    void setSpeed(double factor);
    double speed() const { return m_speed; }
    /// Answers a redis-cli command line: from the in-process bus, or passed to the real Redis.
    /// The answer comes with commandAnswered().
    void execute(const QString &commandLine);

    void killNode(int node);
    void restartNode(int node);
    void partitionNode(int node);
    void healNode(int node);
    void setBrokerUp(bool up);
    void setClientSlow(int client, bool slow);
    void setPublishRate(double rate);

    const Scenario &scenario() const { return m_scenario; }
    int nodeCount() const { return int(m_nodes.size()); }
    QUrl nodeUrl(int node) const;
    qint64 tick() const { return m_tick; }
    double simSeconds() const;
    SimSnapshot snapshot() const;
    std::optional<MessageTrace> trace(quint64 key) const { return m_traces.find(key); }
    std::vector<MessageTrace> latestTraces(qsizetype count) const { return m_traces.latest(count); }
    quint64 deliveredTo(int client) const { return m_ledger.deliveredTo(client); }
    quint64 lostBy(int client) const { return m_ledger.lostBy(client); }

signals:
    void snapshotReady(const fanout::SimSnapshot &snapshot);
    void finished(const fanout::SimSnapshot &snapshot);
    void errorOccurred(const QString &message);
    /// Something a user would want in a log: a fault, a reconnection, a node's broker state.
    void eventLogged(double simSeconds, const QString &text);
    void commandAnswered(const QString &commandLine, const QString &answer);

private:
    void logEvent(const QString &text);
    void onTimer();
    void runTick();
    void runDueSteps();
    void runStep(const ScenarioStep &step);
    void processReconnects();
    void publishTick();
    void finish();
    bool isFleetSettled() const;
    void attachNodeSignals(int node);
    void placeClient(VirtualClient &client);
    void detachClient(VirtualClient &client, FaultTimeline::OfflineReason reason);
    void applyLink(int node);
    bool checkNode(int node, const char *action);

    Scenario m_scenario;
    QString m_broker;
    std::unique_ptr<InProcessBus> m_bus;
    RedisConnection *m_console = nullptr;
    bool m_busUp = true;
    std::vector<std::unique_ptr<SimNode>> m_nodes;
    std::vector<int> m_originSerials;
    std::vector<int> m_connections;
    std::vector<std::unique_ptr<VirtualClient>> m_clients;
    QStringList m_roomNames;
    QByteArray m_payload;
    TrafficGenerator m_generator;
    LoadBalancer m_balancer;
    FaultTimeline m_timeline;
    TraceBuffer m_traces;
    DeliveryLedger m_ledger;

    struct PendingReconnect {
        int client;
        qint64 dueTick;
    };
    std::vector<PendingReconnect> m_reconnects;
    std::vector<int> m_overflowed;

    Phase m_phase = Phase::Setup;
    Pace m_pace = Pace::RealTime;
    double m_speed = 1.0;
    qint64 m_tick = 0;
    qint64 m_trafficTicks = 0;
    qint64 m_settleTicks = 0;
    size_t m_nextStep = 0;
    double m_publishRate = 0;
    quint64 m_skippedPublishes = 0;
    quint64 m_slowDisconnects = 0;
    QTimer m_tickTimer;
    QTimer m_snapshotTimer;
    QElapsedTimer m_wallClock;
    QElapsedTimer m_paceClock;
    qint64 m_paceBaseTick = 0;
};

}
