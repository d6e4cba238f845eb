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

void SimulationController::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    emit runningChanged(running);
}

void SimulationController::load(const fanout::Scenario &scenario, const QString &redisUrl)
{
    m_scenario = scenario;
    m_redisUrl = redisUrl;
    m_lastSnapshot = {};
    setRunning(false);
    const double speed = m_speed;
    QMetaObject::invokeMethod(m_worker, [this, scenario, redisUrl, speed] {
        delete m_simulation;
        m_simulation = new fanout::Simulation(scenario);
        m_simulation->setSpeed(speed);
        connectSimulation();
        QString error;
        const bool ok = m_simulation->setUp(redisUrl, &error);
        const fanout::SimSnapshot first = m_simulation->snapshot();
        const bool writesAllowed = m_simulation->console() && m_simulation->console()->writesAllowed();
        if (m_simulation->console()) {
            connect(m_simulation->console(), &fanout::RedisConsole::answered, this,
                    &SimulationController::commandAnswered);
            connect(m_simulation->console(), &fanout::RedisConsole::writesAllowedChanged, this, [this](bool allowed) {
                QMetaObject::invokeMethod(this, [this, allowed] {
                    m_consoleWritesAllowed = allowed;
                    emit consoleWritesAllowedChanged(allowed);
                });
            });
        }
        QMetaObject::invokeMethod(this, [this, ok, error, first, writesAllowed] {
            m_lastSnapshot = first;
            m_consoleWritesAllowed = writesAllowed;
            emit consoleWritesAllowedChanged(writesAllowed);
            emit snapshotUpdated(first);
            emit loaded(ok, error);
        });
    });
}

void SimulationController::connectSimulation()
{
    connect(m_simulation, &fanout::Simulation::snapshotReady, this, [this](const fanout::SimSnapshot &snapshot) {
        m_lastSnapshot = snapshot;
        emit snapshotUpdated(snapshot);
    });
    connect(m_simulation, &fanout::Simulation::eventLogged, this, &SimulationController::eventLogged);
    connect(m_simulation, &fanout::Simulation::errorOccurred, this,
            [this](const QString &message) { emit eventLogged(0, QStringLiteral("error: ") + message); });
    connect(m_simulation, &fanout::Simulation::finished, this, [this] {
        setRunning(false);
        emit finished();
    });
}

void SimulationController::run()
{
    onWorker([](fanout::Simulation &s) { s.run(); });
    setRunning(true);
}

void SimulationController::pause()
{
    onWorker([](fanout::Simulation &s) { s.pause(); });
    setRunning(false);
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
