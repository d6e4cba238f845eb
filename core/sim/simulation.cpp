#include "simulation.h"

#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "console/inprocessconsole.h"
#include "console/redisserverconsole.h"
#include "node/node.h"
#include "presencewatch.h"
#include "redis/clientnames.h"
#include "redis/redisbackedbroker.h"
#include "redis/redisconnection.h"
#include "simclock.h"
#include "simfaults.h"
#include "simfleet.h"
#include "virtualclient.h"

#include <QDateTime>

#include <cmath>

namespace fanout {

namespace {
constexpr int SetupPollMs = 20;
/// Polls in a row, every client connected and subscribed, without a broker delivery before the
/// fleet counts as quiet: a join event on a real Redis, or on a machine that stalls, can take
/// longer than one poll to come back.
constexpr int QuietPollsToBegin = 5;
/// Clients connect in batches, as a real fleet's do, so their join events drain in between.
constexpr int ConnectBatch = 5000;
}

Simulation::Simulation(const Scenario &scenario, QObject *parent)
    : QObject(parent), m_scenario(scenario.fleets().front()), m_generator(scenario), m_ledger(m_timeline, m_traces),
      m_fleet(new SimFleet(m_scenario, m_generator, m_ledger, m_timeline, this)),
      m_clock(new SimClock(scenario.tickMs, this))
{
    m_publishRate = scenario.publishRate;
    m_trafficTicks = plannedTrafficTicks();
    m_settleTicks = std::max<qint64>(1, std::llround(double(scenario.settleMs) / scenario.tickMs));
    m_sentBy.resize(size_t(std::max(0, scenario.clients)));
    m_timeline.resize(scenario.nodes, scenario.clients);
    m_ledger.resizeClients(scenario.clients);

    connect(m_clock, &SimClock::ticksDue, this, &Simulation::onTicksDue);
    connect(m_fleet, &SimFleet::nodeLinkChanged, this, &Simulation::onNodeLinkChanged);
    connect(m_fleet, &SimFleet::externalPublished, this, &Simulation::onExternalPublished);
    m_snapshotTimer.setInterval(100);
    connect(&m_snapshotTimer, &QTimer::timeout, this, [this] { emit snapshotReady(snapshot()); });
}

Simulation::~Simulation()
{
    delete m_fleet; // before the bus its brokers are connected to
}

QString Simulation::brokerName(const QString &redisUrl)
{
    if (redisUrl.isEmpty())
        return QStringLiteral("in-process");
    const auto url = RedisUrl::parse(redisUrl, nullptr);
    return url ? url->toDisplayString() : redisUrl;
}

bool Simulation::setUp(const QString &redisUrl, QString *error)
{
    SimNode::BrokerFactory factory;
    if (redisUrl.isEmpty()) {
        m_brokerName = brokerName(redisUrl);
        m_bus = std::make_unique<InProcessBus>();
        factory = [this](const QString &id) { return new InProcessBroker(m_bus.get(), id); };
        m_console = new InProcessConsole(m_bus.get(), this);
    } else {
        const std::optional<RedisUrl> url = RedisUrl::parse(redisUrl, error);
        if (!url)
            return false;
        m_brokerName = brokerName(redisUrl);
        m_onRedis = true;
        factory = [url = *url](const QString &id) { return RedisBackedBroker::create(url, id); };
        // On a Cluster the console talks to its first seed node.
        const RedisUrl consoleUrl = url->isCluster() ? url->atAddress(url->clusterNodes.first()) : *url;
        m_consoleConnection
            = new RedisConnection(consoleUrl, ClientNames::studioConsole(), RedisConnection::Mode::Command, this);
        m_consoleConnection->open();
        m_console = new RedisServerConsole(m_consoleConnection, m_brokerName, this);
        setSpeed(m_clock->speed());
    }
    m_faults = new SimFaults(m_scenario, *m_fleet, m_timeline, m_bus.get(), m_consoleConnection, this);
    connect(m_faults, &SimFaults::logged, this, &Simulation::logEvent);
    connect(m_faults, &SimFaults::errorOccurred, this, &Simulation::errorOccurred);
    m_wallClock.start();
    m_ready = m_fleet->startNodes(factory, m_nodePorts, error);
    if (m_ready && m_scenario.users > 0) {
        QStringList rooms;
        for (int room = 0; room < m_generator.roomCount(); ++room)
            rooms.append(TrafficGenerator::roomName(room));
        m_presence = new PresenceWatch(*m_fleet, rooms, this);
        m_presence->start();
    }
    return m_ready;
}

QUrl Simulation::nodeUrl(int node) const
{
    return m_fleet->node(node).url();
}

std::vector<quint16> Simulation::nodePorts() const
{
    std::vector<quint16> ports;
    for (int i = 0; i < m_fleet->nodeCount(); ++i)
        ports.push_back(m_fleet->node(i).port());
    return ports;
}

void Simulation::setSpeed(double factor)
{
    // On Redis, network deliveries must land between ticks: never faster than real time.
    m_clock->setSpeed(factor <= 0 && m_onRedis ? 1.0 : factor);
}

void Simulation::run()
{
    if (m_phase == Phase::Finished || !m_ready)
        return;
    if (m_phase == Phase::Setup) {
        m_runRequested = true;
        waitForFleet();
        return;
    }
    if (m_phase == Phase::Paused)
        startTicking();
}

void Simulation::waitForFleet()
{
    if (m_phase != Phase::Setup || m_setupPolling)
        return;
    m_setupPolling = true;
    pollSetup();
}

void Simulation::pollSetup()
{
    m_setupPolling = false;
    // Ready when every client is connected and subscribed and no join event is still on its
    // way: the broker deliveries did not move for QuietPollsToBegin polls.
    const bool settled = m_fleet->isSettled(m_faults->isBrokerUp());
    const quint64 messages = m_fleet->brokerMessages();
    const bool moved = messages != std::exchange(m_setupMessages, messages);
    // Only a poll that could begin the run counts: while subscriptions are pending, a node holds
    // its join events back, so the bus is quiet without being done.
    const bool ready = settled && m_fleet->clientsConnected();
    m_quietSetupPolls = ready && !moved ? m_quietSetupPolls + 1 : 0;
    if (m_quietSetupPolls >= QuietPollsToBegin) {
        beginRun();
        return;
    }
    if (settled)
        m_fleet->connectClients(ConnectBatch, m_tick);
    m_setupPolling = true;
    QTimer::singleShot(SetupPollMs, this, &Simulation::pollSetup);
}

void Simulation::beginRun()
{
    m_fleet->startCounting();
    emit started();
    if (m_runRequested) {
        startTicking();
    } else {
        m_phase = Phase::Paused;
        runTick();
        emit snapshotReady(snapshot());
    }
}

void Simulation::setRunsUntilStopped(bool on)
{
    m_untilStopped = on;
    // Stopping later than planned: what was published after the scenario's end settles first.
    m_trafficTicks = on ? plannedTrafficTicks() : std::max(plannedTrafficTicks(), m_tick);
    if (on && m_phase == Phase::Settling)
        m_phase = Phase::Running;
}

qint64 Simulation::plannedTrafficTicks() const
{
    return std::llround(m_scenario.seconds * 1000.0 / m_scenario.tickMs);
}

void Simulation::startTicking()
{
    m_phase = m_tick >= m_trafficTicks && !m_untilStopped ? Phase::Settling : Phase::Running;
    m_clock->start();
    m_snapshotTimer.start();
}

void Simulation::pause()
{
    m_runRequested = false;
    if (m_phase != Phase::Running && m_phase != Phase::Settling)
        return;
    m_clock->stop();
    m_phase = Phase::Paused;
    emit snapshotReady(snapshot());
}

void Simulation::step()
{
    if (!m_ready)
        return;
    if (m_phase == Phase::Setup) {
        m_runRequested = false;
        waitForFleet();
        return;
    }
    if (m_phase != Phase::Paused)
        return;
    runTick();
    emit snapshotReady(snapshot());
}

void Simulation::logEvent(const QString &text)
{
    emit eventLogged(simSeconds(), text);
}

void Simulation::onTicksDue(int count)
{
    for (int i = 0; i < count && (m_phase == Phase::Running || m_phase == Phase::Settling); ++i)
        runTick();
}

double Simulation::simSeconds() const
{
    return double(m_tick) * m_scenario.tickMs / 1000.0;
}

void Simulation::runTick()
{
    if (m_phase == Phase::Finished || pausedAtCaption())
        return;
    runDueSteps();
    cutOffOverflowedClients();
    m_fleet->reconnectDue(m_tick);
    for (int i = 0; i < m_fleet->clientCount(); ++i) {
        if (m_fleet->client(i).isSlow())
            m_fleet->client(i).drain();
    }
    if (m_tick < m_trafficTicks || m_untilStopped)
        publishTick();
    m_ledger.settle(m_tick, m_settleTicks);
    ++m_tick;
    if (m_untilStopped)
        return;
    if (m_tick >= m_trafficTicks && m_phase == Phase::Running)
        m_phase = Phase::Settling;
    if (m_tick >= m_trafficTicks + m_settleTicks)
        finish();
}

/// A caption due at this tick is shown before the tick runs, so the learner reads what is
/// about to happen (a step of the same instant included) before it does.
bool Simulation::pausedAtCaption()
{
    const std::vector<ScenarioCaption> &lesson = m_scenario.lesson;
    if (m_nextCaption >= lesson.size() || std::llround(lesson[m_nextCaption].at * 1000.0 / m_scenario.tickMs) > m_tick)
        return false;
    const int index = int(m_nextCaption++);
    if (!m_pauseAtCaptions)
        return false;
    pause();
    emit captionReached(index);
    return true;
}

void Simulation::runDueSteps()
{
    while (m_nextStep < m_scenario.steps.size()) {
        const ScenarioStep &step = m_scenario.steps[m_nextStep];
        if (std::llround(step.at * 1000.0 / m_scenario.tickMs) > m_tick)
            break;
        carryOut(step);
        ++m_nextStep;
    }
}

void Simulation::cutOffOverflowedClients()
{
    for (const int client : m_fleet->takeOverflowed()) {
        if (m_fleet->client(client).home() < 0 || !m_fleet->client(client).isSlow())
            continue;
        ++m_slowDisconnects;
        logEvent(QStringLiteral("client v%1 cut off: its queue passed %2").arg(client).arg(m_scenario.slowQueueLimit));
        m_fleet->disconnectClient(client, FaultTimeline::OfflineReason::SlowClient, m_tick);
    }
}

void Simulation::publishTick()
{
    const int count = m_generator.publishesForTick(m_publishRate, m_scenario.tickMs / 1000.0);
    const double now = simSeconds();
    for (int i = 0; i < count; ++i) {
        TrafficGenerator::Publish publish = m_generator.next();
        if (publish.sender < 0)
            return;
        if (m_fleet->client(publish.sender).home() < 0) {
            ++m_skippedPublishes;
            continue;
        }
        publish.sequence = ++m_sentBy[size_t(publish.sender)];
        const QByteArray content = TrafficGenerator::payload(publish.sender, publish.sequence, m_scenario.payloadBytes);
        if (!m_fleet->publish(publish, content, m_tick, now))
            ++m_refusedPublishes;
    }
}

void Simulation::finish()
{
    m_clock->stop();
    for (int i = 0; i < m_fleet->clientCount(); ++i)
        m_fleet->client(i).dropQueue(LossCause::SlowClient);
    m_ledger.settleAll(m_tick);
    m_phase = Phase::Finished;
    m_snapshotTimer.stop();
    logEvent(QStringLiteral("finished"));
    const SimSnapshot last = snapshot();
    emit snapshotReady(last);
    emit finished(last);
}

quint64 Simulation::eventsReceivedBy(int client) const
{
    return m_fleet->client(client).eventsReceived();
}

SimSnapshot Simulation::snapshot() const
{
    SimSnapshot s;
    s.scenario = m_scenario.name;
    s.broker = m_brokerName;
    s.delivery = Scenario::deliveryName(m_scenario.delivery);
    s.phase = m_phase;
    s.simSeconds = simSeconds();
    s.wallSeconds = m_wallClock.isValid() ? m_wallClock.elapsed() / 1000.0 : 0;
    s.brokerUp = !m_faults || m_faults->isBrokerUp();
    s.totals = m_ledger.totals();
    s.skippedPublishes = m_skippedPublishes;
    s.refusedPublishes = m_refusedPublishes;
    s.slowDisconnects = m_slowDisconnects;
    const LatencyHistogram &latency = m_ledger.latency();
    s.latencyP50Ms = latency.quantileNs(0.50) / 1e6;
    s.latencyP99Ms = latency.quantileNs(0.99) / 1e6;
    s.latencyMaxMs = latency.maxNs() / 1e6;
    m_fleet->captureNodes(&s);
    m_fleet->captureClients(&s);
    s.amplification = s.busPublishes ? double(s.busDeliveries) / double(s.busPublishes) : 0;
    s.recentTraces = m_traces.latest(SimSnapshot::MaxRecentTraces);
    if (m_presence)
        s.presence = m_presence->entries(QDateTime::currentMSecsSinceEpoch());
    return s;
}

void Simulation::apply(const ScenarioStep &step)
{
    if (!m_ready)
        return;
    carryOut(step);
    // While ticking the snapshot timer shows the change; otherwise nothing else would.
    if (!m_clock->isRunning())
        emit snapshotReady(snapshot());
}

void Simulation::disconnectSession(const QString &id)
{
    if (m_faults)
        m_faults->disconnectSession(id);
}

void Simulation::carryOut(const ScenarioStep &step)
{
    if (step.action == ScenarioStep::Action::PublishRate) {
        m_publishRate = std::max(0.0, step.rate);
        logEvent(QStringLiteral("publish rate %1/s").arg(m_publishRate));
    } else {
        m_faults->apply(step, m_tick);
    }
}

void Simulation::onExternalPublished(quint64 key, int node, quint64 id, const QByteArray &channel,
                                     const QList<int> &members)
{
    // Accounted like the simulation's own publishes (sender -1: not a virtual client), so its
    // virtual members' deliveries are on time or lost, never "late".
    m_ledger.recordPublish(key, node, -1, m_fleet->node(node).id(), id, channel, members, m_tick, simSeconds());
}

void Simulation::onNodeLinkChanged(int index, bool connected)
{
    m_timeline.setNodeLinked(index, m_tick, connected);
    const SimNode &node = m_fleet->node(index);
    if (m_phase == Phase::Setup || !node.isUp())
        return;
    if (connected)
        logEvent(QStringLiteral("%1 connected to the broker and resubscribed its rooms").arg(node.id()));
    else if (node.node()->hasHistory())
        logEvent(
            QStringLiteral("%1 lost the broker: messages wait for it, gaps are read from the history").arg(node.id()));
    else
        logEvent(QStringLiteral("%1 lost the broker: local-only delivery").arg(node.id()));
}

}
