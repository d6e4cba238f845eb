#include "threadednodeserver.h"

#include "broker/brokerhub.h"
#include "broker/threadbroker.h"
#include "crossthreadcall.h"
#include "epollpoller.h"
#include "nodeserver.h"
#include "tcplistener.h"

#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <functional>

namespace fanout {

struct ThreadedNodeServer::Worker {
    QThread thread;
    QObject *anchor = nullptr; ///< lives on the thread; parent of what the thread runs
    Node *node = nullptr;
    NodeServer *server = nullptr;
    std::atomic<qsizetype> sessions = 0;
};

namespace {

/// Runs `work` on the worker's thread and waits for it; on this thread when the worker has none.
void runOn(QThread &thread, QObject *anchor, const std::function<void()> &work)
{
    if (thread.isRunning())
        invokeBlocking(anchor, work);
    else
        work();
}

}

ThreadedNodeServer::ThreadedNodeServer(const NodeConfig &config, Broker *broker, int threads, QObject *parent)
    : QObject(parent), m_broker(broker), m_poller(new EpollPoller(this)), m_listener(new TcpListener(m_poller, this))
{
    connect(m_listener, &TcpListener::accepted, this, &ThreadedNodeServer::handOver);
    const int count = std::max(1, threads);
    if (count == 1) {
        // One I/O thread is this one: no hand-over between threads, the Node uses the broker.
        startWorker(config, 0, 1, broker);
        return;
    }
    m_hub = new BrokerHub(broker, this);
    for (int index = 0; index < count; ++index)
        startWorker(config, index, count, nullptr);
}

ThreadedNodeServer::~ThreadedNodeServer()
{
    delete m_listener;
    for (const std::unique_ptr<Worker> &worker : m_workers) {
        runOn(worker->thread, worker->anchor, [&worker] {
            delete worker->server;
            delete worker->node;
        });
        worker->thread.quit();
        worker->thread.wait();
        delete worker->anchor;
    }
}

void ThreadedNodeServer::startWorker(const NodeConfig &config, int index, int count, Broker *ownBroker)
{
    auto worker = std::make_unique<Worker>();
    Worker *w = worker.get();
    w->anchor = new QObject;
    if (!ownBroker) {
        w->thread.setObjectName(QStringLiteral("io-%1").arg(index));
        w->anchor->moveToThread(&w->thread);
        w->thread.start();
    }
    m_workers.push_back(std::move(worker));
    NodeConfig own = config;
    own.firstMessageId = quint64(index) + 1;
    own.messageIdStep = quint64(count);
    runOn(w->thread, w->anchor, [this, w, own, ownBroker] {
        w->node = new Node(own, ownBroker ? ownBroker : new ThreadBroker(m_hub));
        w->server = new NodeServer(w->node);
        w->server->setSessionNumbering(own.firstMessageId, own.messageIdStep);
        auto *snapshot = new QTimer(w->anchor);
        snapshot->setSingleShot(true);
        snapshot->setInterval(SnapshotDelayMs);
        connect(w->node, &Node::roomsChanged, snapshot, qOverload<>(&QTimer::start));
        connect(snapshot, &QTimer::timeout, this, &ThreadedNodeServer::roomsChanged);
        connect(w->server, &NodeServer::sessionOpened, w->anchor, [w] { ++w->sessions; });
        connect(w->server, &NodeServer::sessionClosed, w->anchor, [w] { --w->sessions; });
        connect(w->server, &NodeServer::descriptorFreed, m_listener, &TcpListener::resume);
    });
}

bool ThreadedNodeServer::listen(const QHostAddress &address, quint16 port)
{
    return m_poller->isValid() && m_listener->listen(address, port);
}

QString ThreadedNodeServer::errorString() const
{
    return m_listener->errorString();
}

QHostAddress ThreadedNodeServer::address() const
{
    return m_listener->address();
}

quint16 ThreadedNodeServer::port() const
{
    return m_listener->port();
}

qsizetype ThreadedNodeServer::sessionCount() const
{
    qsizetype total = 0;
    for (const std::unique_ptr<Worker> &worker : m_workers)
        total += worker->sessions.load();
    return total;
}

void ThreadedNodeServer::forEachServer(const std::function<void(NodeServer *server)> &work) const
{
    for (const std::unique_ptr<Worker> &worker : m_workers)
        runOn(worker->thread, worker->anchor, [&worker, &work] { work(worker->server); });
}

NodeMetrics ThreadedNodeServer::metrics() const
{
    NodeMetrics total;
    forEachServer([&total](NodeServer *server) { total += server->metrics(); });
    return total;
}

void ThreadedNodeServer::setAllowedOrigins(const QStringList &origins)
{
    forEachServer([&origins](NodeServer *server) { server->setAllowedOrigins(origins); });
}

void ThreadedNodeServer::setMaxPublishRate(int perSecond)
{
    forEachServer([perSecond](NodeServer *server) { server->protocol().setMaxPublishRate(perSecond); });
}

void ThreadedNodeServer::shutdown()
{
    m_listener->close();
    for (const std::unique_ptr<Worker> &worker : m_workers) {
        NodeServer *server = worker->server;
        invokeQueued(server, [server] { server->shutdown(); });
    }
}

void ThreadedNodeServer::handOver(int fd)
{
    NodeServer *server = m_workers[m_nextWorker]->server;
    m_nextWorker = (m_nextWorker + 1) % m_workers.size();
    invokeQueued(server, [server, fd] { server->adopt(fd); });
}

}
