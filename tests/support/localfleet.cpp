#include "localfleet.h"

#include "busfixture.h"

#include <QTest>

#include <algorithm>

LocalFleet::LocalFleet(BusFixture &bus, int count, int shards)
{
    for (int i = 0; i < count; ++i) {
        const QString id = QStringLiteral("node-%1").arg(i);
        fanout::NodeConfig config = fanout::NodeConfig::named(id);
        config.shardCount = shards;
        auto node = std::make_unique<fanout::Node>(config, bus.makeBroker(id));
        auto server = std::make_unique<fanout::NodeServer>(node.get());
        m_listening &= server->listen(QHostAddress::LocalHost, 0);
        m_nodes.push_back(std::move(node));
        m_servers.push_back(std::move(server));
    }
}

LocalFleet::~LocalFleet()
{
    // A server refers to its node: the servers go first.
    m_servers.clear();
    m_nodes.clear();
}

bool LocalFleet::waitConnected(int timeoutMs)
{
    return QTest::qWaitFor(
        [this] {
            return std::all_of(m_nodes.begin(), m_nodes.end(), [](const auto &node) {
                return node->broker()->state() == fanout::Broker::State::Connected;
            });
        },
        timeoutMs);
}

QUrl LocalFleet::roomUrl(int i, const QString &room) const
{
    QUrl url = m_servers.at(size_t(i))->url();
    url.setPath(QStringLiteral("/"));
    url.setQuery(QStringLiteral("room=") + QString::fromUtf8(QUrl::toPercentEncoding(room)));
    return url;
}

QUrl LocalFleet::typedUrl(int i) const
{
    QUrl url = m_servers.at(size_t(i))->url();
    url.setPath(fanout::NodeServer::TypedPath);
    return url;
}
