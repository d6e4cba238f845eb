#include "simulationcontroller.h"

#include "sim/simulation.h"

SimulationController::SimulationController(QObject *parent)
    : QObject(parent), m_worker(new QObject)
{
    qRegisterMetaType<fanout::SimSnapshot>();
    m_thread.setObjectName(QStringLiteral("simulation"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

SimulationController::~SimulationController()
{
    QMetaObject::invokeMethod(m_worker, [this] {
        delete m_simulation;
        m_simulation = nullptr;
    }, Qt::BlockingQueuedConnection);
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
    if (m_running) {
        m_running = false;
        emit runningChanged(false);
    }
    const double speed = m_speed;
    QMetaObject::invokeMethod(m_worker, [this, scenario, redisUrl, speed] {
        delete m_simulation;
        m_simulation = new fanout::Simulation(scenario);
        m_simulation->setSpeed(speed);
        connect(m_simulation, &fanout::Simulation::snapshotReady, this,
                [this](const fanout::SimSnapshot &snapshot) {
                    m_lastSnapshot = snapshot;
                    emit snapshotUpdated(snapshot);
                });
        connect(m_simulation, &fanout::Simulation::eventLogged, this, &SimulationController::eventLogged);
        connect(m_simulation, &fanout::Simulation::errorOccurred, this,
                [this](const QString &message) { emit eventLogged(0, QStringLiteral("error: ") + message); });
        connect(m_simulation, &fanout::Simulation::commandAnswered, this, &SimulationController::commandAnswered);
        connect(m_simulation, &fanout::Simulation::finished, this, [this] {
            m_running = false;
            emit runningChanged(false);
            emit finished();
        });
        QString error;
        const bool ok = m_simulation->setUp(redisUrl, &error);
        const fanout::SimSnapshot first = m_simulation->snapshot();
        QMetaObject::invokeMethod(this, [this, ok, error, first] {
            m_lastSnapshot = first;
            emit snapshotUpdated(first);
            emit loaded(ok, error);
        });
    });
}

void SimulationController::run()
{
    onWorker([](fanout::Simulation &s) { s.run(s.speed() == 0 ? fanout::Simulation::Pace::Fast
                                                                : fanout::Simulation::Pace::RealTime); });
    if (!m_running) {
        m_running = true;
        emit runningChanged(true);
    }
}

void SimulationController::pause()
{
    onWorker([](fanout::Simulation &s) { s.pause(); });
    if (m_running) {
        m_running = false;
        emit runningChanged(false);
    }
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

void SimulationController::setPublishRate(double rate)
{
    onWorker([rate](fanout::Simulation &s) { s.setPublishRate(rate); });
}

void SimulationController::killNode(int node)
{
    onWorker([node](fanout::Simulation &s) { s.killNode(node); });
}

void SimulationController::restartNode(int node)
{
    onWorker([node](fanout::Simulation &s) { s.restartNode(node); });
}

void SimulationController::partitionNode(int node)
{
    onWorker([node](fanout::Simulation &s) { s.partitionNode(node); });
}

void SimulationController::healNode(int node)
{
    onWorker([node](fanout::Simulation &s) { s.healNode(node); });
}

void SimulationController::setBrokerUp(bool up)
{
    onWorker([up](fanout::Simulation &s) { s.setBrokerUp(up); });
}

void SimulationController::setClientSlow(int client, bool slow)
{
    onWorker([client, slow](fanout::Simulation &s) { s.setClientSlow(client, slow); });
}

void SimulationController::execute(const QString &commandLine)
{
    onWorker([commandLine](fanout::Simulation &s) { s.execute(commandLine); });
}
