#include "simnode.h"

namespace fanout {

SimNode::SimNode(int index, const QString &idStem, const NodeConfig &config, BrokerFactory brokerFactory,
                 qsizetype offlineQueue, quint16 port)
    : m_index(index), m_idStem(idStem), m_config(config), m_brokerFactory(std::move(brokerFactory)),
      m_offlineQueue(offlineQueue), m_port(port)
{ }

SimNode::~SimNode()
{
    m_server.reset();
    m_node.reset();
}

bool SimNode::start(QString *error)
{
    if (m_node)
        return true;
    ++m_incarnation;
    m_id = m_incarnation == 1 ? QStringLiteral("%1-%2").arg(m_idStem).arg(m_index)
                              : QStringLiteral("%1-%2-r%3").arg(m_idStem).arg(m_index).arg(m_incarnation);
    Broker *broker = m_brokerFactory(m_id);
    broker->setOfflineQueueCapacity(m_offlineQueue);
    NodeConfig config = m_config;
    config.nodeId = m_id;
    m_node = std::make_unique<Node>(config, broker);
    m_server = std::make_unique<NodeServer>(m_node.get());
    // A restart keeps its port whatever it takes; a first start may only have wished for one
    // (the port of the simulation it replaces, which another program may have taken since).
    const bool listening = m_server->listen(QHostAddress::LocalHost, m_port)
        || (m_incarnation == 1 && m_port != 0 && m_server->listen(QHostAddress::LocalHost, 0));
    if (!listening) {
        *error = QStringLiteral("node %1 cannot listen on 127.0.0.1:%2: %3")
                     .arg(m_index)
                     .arg(m_port)
                     .arg(m_server->errorString());
        m_server.reset();
        m_node.reset();
        return false;
    }
    m_port = m_server->port();
    m_partitioned = false;
    return true;
}

void SimNode::kill()
{
    if (!m_node)
        return;
    m_pastStats = stats();
    m_pastBrokerStats = brokerStats();
    m_server->shutdown();
    m_server.reset();
    m_node.reset();
    m_partitioned = false;
}

void SimNode::setPartitioned(bool partitioned)
{
    m_partitioned = partitioned;
    if (m_node)
        m_node->broker()->setLinkUp(!partitioned);
}

ClientProtocol *SimNode::protocol() const
{
    return m_server ? &m_server->protocol() : nullptr;
}

std::vector<SessionInfo> SimNode::externalSessions(qsizetype limit) const
{
    return m_server ? m_server->sessions(limit) : std::vector<SessionInfo> {};
}

bool SimNode::closeExternalSession(const QString &id)
{
    return m_server && m_server->closeSession(id, 1000, QStringLiteral("disconnected from the studio"));
}

QUrl SimNode::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    url.setPath(QStringLiteral("/"));
    return url;
}

NodeStats SimNode::stats() const
{
    NodeStats total = m_pastStats;
    if (m_node)
        total += m_node->stats();
    return total;
}

BrokerStats SimNode::brokerStats() const
{
    BrokerStats total = m_pastBrokerStats;
    if (m_node)
        total += m_node->broker()->stats();
    return total;
}

}
