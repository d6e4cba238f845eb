#include "simulationcontroller.h"

#include "console/redisconsole.h"
#include "sim/simulation.h"

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
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            delete m_simulation;
            m_simulation = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

template<typename Call>
void SimulationController::onWorker(Call call)
{
    QMetaObject::invokeMethod(m_worker, [this, call] {
        if (m_simulation)
            call(*m_simulation);
    });
}

void SimulationController::load(const fanout::Scenario &scenario, const QString &redisUrl)
{
    m_scenario = scenario;
    m_redisUrl = redisUrl;
    m_lastSnapshot = {};
    const quint64 generation = ++m_generation;
    const double speed = m_speed;
    QMetaObject::invokeMethod(m_worker, [this, scenario, redisUrl, speed, generation] {
        delete m_simulation;
        m_simulation = new fanout::Simulation(scenario);
        m_simulation->setSpeed(speed);
        QString error;
        const bool ok = m_simulation->setUp(redisUrl, &error);
        connectSimulation(generation);
        const fanout::SimSnapshot first = m_simulation->snapshot();
        const bool writesAllowed = m_simulation->console() && m_simulation->console()->writesAllowed();
        QMetaObject::invokeMethod(this, [this, ok, error, first, writesAllowed, generation] {
            if (generation != m_generation)
                return;
            m_lastSnapshot = first;
            m_consoleWritesAllowed = writesAllowed;
            emit consoleWritesAllowedChanged(writesAllowed);
            emit snapshotUpdated(first);
            emit loaded(ok, error);
        });
    });
}

// Runs on the worker thread. Every signal comes back queued to this object's thread, where
// anything an older simulation sent before it was replaced is dropped.
void SimulationController::connectSimulation(quint64 generation)
{
    const auto current = [this, generation] { return generation == m_generation; };
    connect(m_simulation, &fanout::Simulation::snapshotReady, this,
            [this, current](const fanout::SimSnapshot &snapshot) {
                if (!current())
                    return;
                m_lastSnapshot = snapshot;
                emit snapshotUpdated(snapshot);
            });
    connect(m_simulation, &fanout::Simulation::eventLogged, this, [this, current](double at, const QString &text) {
        if (current())
            emit eventLogged(at, text);
    });
    connect(m_simulation, &fanout::Simulation::errorOccurred, this, [this, current](const QString &message) {
        if (current())
            emit eventLogged(0, QStringLiteral("error: ") + message);
    });
    fanout::RedisConsole *console = m_simulation->console();
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
    onWorker([](fanout::Simulation &s) { s.run(); });
}

void SimulationController::pause()
{
    onWorker([](fanout::Simulation &s) { s.pause(); });
}

void SimulationController::step()
{
    pause();
    onWorker([](fanout::Simulation &s) { s.step(); });
}

void SimulationController::setSpeed(double factor)
{
    m_speed = factor;
    onWorker([factor](fanout::Simulation &s) { s.setSpeed(factor); });
}

void SimulationController::apply(const fanout::ScenarioStep &step)
{
    onWorker([step](fanout::Simulation &s) { s.apply(step); });
}

void SimulationController::execute(const QString &commandLine)
{
    onWorker([commandLine](fanout::Simulation &s) {
        if (s.console())
            s.console()->execute(commandLine);
    });
}

void SimulationController::setConsoleWritesAllowed(bool allowed)
{
    onWorker([allowed](fanout::Simulation &s) {
        if (s.console())
            s.console()->setWritesAllowed(allowed);
    });
}
