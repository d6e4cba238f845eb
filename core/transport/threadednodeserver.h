#pragma once

#include "metrics/nodemetrics.h"
#include "node/node.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace fanout {

class Broker;
class BrokerHub;
class EpollPoller;
class NodeServer;
class TcpListener;

/// fanout-node's edge on all cores: `threads` I/O threads, each with a Node and a NodeServer of
/// its own (the same fan-out code as a single node, with a ThreadBroker), all on one shared
/// broker through a BrokerHub on this thread. With one thread, this thread is the I/O thread
/// and its Node uses the broker directly. The listener, on this thread too, hands accepted
/// connections to the threads in turn. A message from the broker reaches each thread whose
/// Node holds its room once, and each thread writes to its own sockets: nothing is locked per
/// delivery. The threads' Nodes share the node id; their session ids and message ids take
/// turns, so both stay unique in the node.
class ThreadedNodeServer : public QObject
{
    Q_OBJECT
public:
    /// Takes ownership of `broker`, which lives on this thread.
    ThreadedNodeServer(const NodeConfig &config, Broker *broker, int threads, QObject *parent = nullptr);
    ~ThreadedNodeServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const;
    QHostAddress address() const;
    quint16 port() const;

    int threadCount() const { return int(m_workers.size()); }
    /// Open sessions over all threads.
    qsizetype sessionCount() const;

    /// The broker the node shares (the hub's, or the one thread's own).
    Broker *broker() const { return m_broker; }
    /// Summed over the threads, each asked on its own thread (this call waits for them).
    NodeMetrics metrics() const;
    /// NodeServer::setAllowedOrigins and ClientProtocol::setMaxPublishRate on every thread.
    void setAllowedOrigins(const QStringList &origins);
    void setMaxPublishRate(int perSecond);

    /// Stops accepting and closes every session with 1001 (going away).
    void shutdown();

    static constexpr int SnapshotDelayMs = 50;

signals:
    /// A thread's set of rooms changed (told SnapshotDelayMs after, once for a burst).
    void roomsChanged();

private:
    struct Worker;

    /// `ownBroker`: the one worker runs on this thread with the broker itself, without a hub.
    void startWorker(const NodeConfig &config, int index, int count, Broker *ownBroker);
    void handOver(int fd);
    /// Runs `work` with each thread's server, on that thread, one after the other.
    void forEachServer(const std::function<void(NodeServer *server)> &work) const;

    Broker *m_broker;
    BrokerHub *m_hub = nullptr; ///< with more than one thread
    EpollPoller *m_poller;
    TcpListener *m_listener;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::size_t m_nextWorker = 0;
};

}
