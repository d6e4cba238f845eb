#pragma once

#include "broker/broker.h"
#include "node/node.h"
#include "transport/nodeserver.h"

#include <QUrl>

#include <functional>
#include <memory>

namespace fanout {

class ClientProtocol;

/// One node of a simulated fleet: the very Node, Broker and NodeServer that fanout-node runs,
/// on a loopback port so real WebSocket clients can join. It can be killed (everything of the
/// process is gone), restarted as a new incarnation on the same port, and partitioned from the
/// broker. Counters add up over incarnations.
class SimNode
{
public:
    using BrokerFactory = std::function<Broker *(const QString &nodeId)>;

    /// The node is named `<idStem>-<index>` (a restart adds `-r<incarnation>`); `config` gives
    /// its channel prefix and history policy. It listens on `port` (0: any free one); a port
    /// another program holds gives way to a free one at the first start.
    SimNode(int index, const QString &idStem, const NodeConfig &config, BrokerFactory brokerFactory,
            qsizetype offlineQueue, quint16 port = 0);
    ~SimNode();

    bool start(QString *error);
    void kill();
    void setPartitioned(bool partitioned);

    int index() const { return m_index; }
    bool isUp() const { return m_node != nullptr; }
    bool isPartitioned() const { return m_partitioned; }
    Node *node() const { return m_node.get(); }
    /// The protocol of the node's server, which virtual clients speak too; null while down.
    ClientProtocol *protocol() const;
    QString id() const { return m_id; }
    QUrl url() const;
    quint16 port() const { return m_port; }
    /// Its real WebSocket sessions (at most `limit`); none while down.
    std::vector<SessionInfo> externalSessions(qsizetype limit) const;
    /// Closes real WebSocket session `id` with 1000 (normal closure): the client asked nothing,
    /// the server ends it as a load balancer draining a node would. False when it has no such session.
    bool closeExternalSession(const QString &id);

    /// Counters of every incarnation so far, the live one included.
    NodeStats stats() const;
    BrokerStats brokerStats() const;

private:
    int m_index;
    QString m_idStem;
    NodeConfig m_config;
    BrokerFactory m_brokerFactory;
    qsizetype m_offlineQueue;
    int m_incarnation = 0;
    quint16 m_port = 0;
    bool m_partitioned = false;
    QString m_id;
    std::unique_ptr<Node> m_node;
    std::unique_ptr<NodeServer> m_server;
    NodeStats m_pastStats;
    BrokerStats m_pastBrokerStats;
};

}
