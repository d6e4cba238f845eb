#include "simulationcontroller.h"

#include "console/redisconsole.h"
#include "crossthreadcall.h"
#include "sim/simulation.h"
#include "sim/simulationset.h"

SimulationController::SimulationController(QObject *parent) : QObject(parent), m_worker(new QObject)
{
    qRegisterMetaType<fanout::SimSnapshot>();
    m_thread.setObjectName(QStringLiteral("simulation"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

SimulationController::~SimulationController()
{
    fanout::invokeBlocking(m_worker, [this] {
        delete m_fleets;
        m_fleets = nullptr;
    });
    m_thread.quit();
    m_thread.wait();
}

template<typename Call>
void SimulationController::onWorker(Call call)
{
    fanout::invokeQueued(m_worker, [this, call] {
        if (m_fleets)
            call(*m_fleets);
    });
}

void SimulationController::load(const fanout::Scenario &scenario, const QString &redisUrl)
{
    m_scenario = scenario;
    m_redisUrl = redisUrl;
    m_lastSnapshot = {};
    const quint64 generation = ++m_generation;
    const double speed = m_speed;
    const bool untilStopped = m_untilStopped;
    const bool pauseAtCaptions = m_pauseAtCaptions;
    fanout::invokeQueued(m_worker, [this, scenario, redisUrl, speed, untilStopped, pauseAtCaptions, generation] {
        // The new nodes take the ports of the ones they replace, once those are closed: a ws://
        // URL copied before a reset or a fleet change still leads to the same node.
        const std::vector<std::vector<quint16>> ports
            = m_fleets ? m_fleets->nodePorts() : std::vector<std::vector<quint16>> {};
        delete m_fleets;
        m_fleets = new fanout::SimulationSet(scenario);
        m_fleets->setNodePorts(ports);
        m_fleets->setSpeed(speed);
        m_fleets->setRunsUntilStopped(untilStopped);
        m_fleets->setPauseAtCaptions(pauseAtCaptions);
        QString error;
        const bool ok = m_fleets->setUp(redisUrl, &error);
        connectSimulation(generation);
        std::vector<fanout::SimSnapshot> firsts;
        firsts.reserve(size_t(m_fleets->count()));
        for (int i = 0; i < m_fleets->count(); ++i)
            firsts.push_back(m_fleets->fleet(i)->snapshot());
        const fanout::RedisConsole *console = m_fleets->fleet(0)->console();
        const bool writesAllowed = console && console->writesAllowed();
        fanout::invokeQueued(this, [this, ok, error, firsts, writesAllowed, generation] {
            if (generation != m_generation)
                return;
            m_lastSnapshot = firsts.front();
            m_consoleWritesAllowed = writesAllowed;
            emit consoleWritesAllowedChanged(writesAllowed);
            emit snapshotUpdated(firsts.front());
            for (size_t i = 0; firsts.size() > 1 && i < firsts.size(); ++i)
                emit fleetSnapshotUpdated(int(i), firsts[i]);
            emit loaded(ok, error);
        });
    });
}

// Runs on the worker thread. Every signal comes back queued to this object's thread, where
// anything an older simulation sent before it was replaced is dropped.
void SimulationController::connectSimulation(quint64 generation)
{
    const auto current = [this, generation] { return generation == m_generation; };
    const bool sideBySide = m_fleets->count() > 1;
    connect(m_fleets, &fanout::SimulationSet::snapshotReady, this,
            [this, current, sideBySide](int fleet, const fanout::SimSnapshot &snapshot) {
                if (!current())
                    return;
                if (fleet == 0) {
                    m_lastSnapshot = snapshot;
                    emit snapshotUpdated(snapshot);
                }
                if (sideBySide)
                    emit fleetSnapshotUpdated(fleet, snapshot);
            });
    connect(m_fleets, &fanout::SimulationSet::eventLogged, this, [this, current](double at, const QString &text) {
        if (current())
            emit eventLogged(at, text);
    });
    connect(m_fleets, &fanout::SimulationSet::captionReached, this, [this, current](int index) {
        if (current())
            emit captionReached(index);
    });
    // Handed over with invokeQueued, as a recording is: a step copied by a queued connection
    // is a copy ThreadSanitizer cannot see the hand-over of.
    connect(m_fleets, &fanout::SimulationSet::applied, m_fleets,
            [this, current](const fanout::ScenarioStep &step, double at) {
                fanout::invokeQueued(this, [this, current, step, at] {
                    if (current())
                        emit stepApplied(step, at);
                });
            });
    connect(m_fleets, &fanout::SimulationSet::errorOccurred, this, [this, current](const QString &message) {
        if (current())
            emit eventLogged(0, QStringLiteral("error: ") + message);
    });
    fanout::RedisConsole *console = m_fleets->fleet(0)->console();
    if (!console)
        return;
    connect(console, &fanout::RedisConsole::answered, this,
            [this, current](const QString &commandLine, const QString &answer) {
                if (current())
                    emit commandAnswered(commandLine, answer);
            });
    connect(console, &fanout::RedisConsole::writesAllowedChanged, this, [this, current](bool allowed) {
        if (!current())
            return;
        m_consoleWritesAllowed = allowed;
        emit consoleWritesAllowedChanged(allowed);
    });
}

void SimulationController::run()
{
    onWorker([](fanout::SimulationSet &s) { s.run(); });
}

void SimulationController::pause()
{
    onWorker([](fanout::SimulationSet &s) { s.pause(); });
}

void SimulationController::step()
{
    pause();
    onWorker([](fanout::SimulationSet &s) { s.step(); });
}

void SimulationController::setSpeed(double factor)
{
    m_speed = factor;
    onWorker([factor](fanout::SimulationSet &s) { s.setSpeed(factor); });
}

void SimulationController::setRunsUntilStopped(bool on)
{
    m_untilStopped = on;
    onWorker([on](fanout::SimulationSet &s) { s.setRunsUntilStopped(on); });
}

void SimulationController::apply(const fanout::ScenarioStep &step)
{
    onWorker([step](fanout::SimulationSet &s) { s.apply(step); });
}

void SimulationController::disconnectSession(const QString &id)
{
    onWorker([id](fanout::SimulationSet &s) { s.disconnectSession(id); });
}

void SimulationController::setPauseAtCaptions(bool on)
{
    m_pauseAtCaptions = on;
    onWorker([on](fanout::SimulationSet &s) { s.setPauseAtCaptions(on); });
}

void SimulationController::requestRecording()
{
    const quint64 generation = m_generation;
    onWorker([this, generation](fanout::SimulationSet &s) {
        const fanout::Scenario recording = s.recording();
        fanout::invokeQueued(this, [this, recording, generation] {
            if (generation == m_generation)
                emit recordingReady(recording);
        });
    });
}

void SimulationController::execute(const QString &commandLine)
{
    onWorker([commandLine](fanout::SimulationSet &s) {
        if (fanout::RedisConsole *console = s.fleet(0)->console())
            console->execute(commandLine);
    });
}

void SimulationController::setConsoleWritesAllowed(bool allowed)
{
    onWorker([allowed](fanout::SimulationSet &s) {
        if (fanout::RedisConsole *console = s.fleet(0)->console())
            console->setWritesAllowed(allowed);
    });
}
