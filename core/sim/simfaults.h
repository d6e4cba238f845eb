#pragma once

#include "faulttimeline.h"
#include "scenario.h"

#include <QObject>

namespace fanout {

class InProcessBus;
class RedisConnection;
class SimFleet;

/// The faults of a simulation: nodes killed, restarted, partitioned and healed, the broker
/// taken down and up, clients made slow or disconnected. The one place a ScenarioStep's fault becomes an
/// action, whoever asked for it (a scenario's timed step or the studio's menus), and the
/// FaultTimeline learns of it at the tick it happens.
class SimFaults : public QObject
{
    Q_OBJECT
public:
    /// `bus` is the in-process bus, or null on a real Redis, where "broker down" cuts every
    /// node's link because the engine cannot stop the server, and `redis` a command connection
    /// to that server (CLIENT KILL of a subscribe connection).
    SimFaults(const Scenario &scenario, SimFleet &fleet, FaultTimeline &timeline, InProcessBus *bus,
              RedisConnection *redis, QObject *parent = nullptr);

    /// Carries out a fault step (not PublishRate, which is traffic).
    void apply(const ScenarioStep &step, qint64 tick);
    /// Closes a real WebSocket session (`sim-1/3`) with 1000; its client decides whether to
    /// come back. Not a step: a scenario's clients are the virtual ones, so a replay would not
    /// have the session.
    void disconnectSession(const QString &id);
    bool isBrokerUp() const { return m_busUp; }
    /// Whether the links of nodes that are up and not partitioned should be up: always on the
    /// in-process bus, which goes down itself; on Redis only while "the broker" is up, since
    /// the engine models a Redis outage by cutting every link.
    bool linksUp() const { return m_bus || m_busUp; }

signals:
    void logged(const QString &text);
    void errorOccurred(const QString &message);

private:
    bool checkNode(const ScenarioStep &step);
    bool checkClient(const ScenarioStep &step);
    void killNode(int node, qint64 tick);
    void restartNode(int node, qint64 tick);
    void setPartitioned(int node, bool partitioned, qint64 tick);
    void setBrokerUp(bool up, qint64 tick);
    void cutSubscription(int node, qint64 tick);
    void killOnRedis(const QString &clientName);
    void setClientSlow(int client, bool slow);
    /// Its connection closed as its server would; it reconnects after the delay.
    void disconnectClient(int client, qint64 tick);

    const Scenario &m_scenario;
    SimFleet &m_fleet;
    FaultTimeline &m_timeline;
    InProcessBus *m_bus;
    RedisConnection *m_redis;
    bool m_busUp = true;
};

}
