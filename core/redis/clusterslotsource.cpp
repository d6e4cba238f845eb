#include "clusterslotsource.h"

#include "logging.h"

namespace fanout {

ClusterSlotSource::ClusterSlotSource(const RedisUrl &url, const QString &clientName, std::function<Asker()> findAsker,
                                     QObject *parent)
    : QObject(parent), m_url(url), m_clientName(clientName), m_findAsker(std::move(findAsker))
{
    m_nextSeed.setSingleShot(true);
    connect(&m_nextSeed, &QTimer::timeout, this, &ClusterSlotSource::openSeed);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, qOverload<>(&ClusterSlotSource::refresh));
}

ClusterSlotSource::~ClusterSlotSource()
{
    // The seed fails its pending question as it goes, and the answer lands here: it must go
    // while this is whole, not with the children.
    qDeleteAll(findChildren<RedisConnection *>(Qt::FindDirectChildrenOnly));
}

void ClusterSlotSource::refresh()
{
    refresh(Asker {});
}

void ClusterSlotSource::refresh(const Asker &preferred)
{
    m_stopped = false;
    if (m_asking) {
        m_askAgain = true;
        return;
    }
    m_retry.stop();
    Asker asker = preferred.connection && preferred.connection->isReady() ? preferred : m_findAsker();
    if (!asker.connection && m_seed && m_seed->isReady())
        asker = {m_seed, seedAddress().host};
    if (asker.connection)
        ask(asker, true);
    else if (!m_seed && !m_nextSeed.isActive())
        openSeed();
}

void ClusterSlotSource::refreshLater(int delayMs)
{
    if (!m_asking)
        m_retry.start(delayMs);
}

void ClusterSlotSource::stop()
{
    m_stopped = true;
    m_nextSeed.stop();
    m_retry.stop();
    m_askAgain = false;
    closeSeed();
}

void ClusterSlotSource::ask(const Asker &asker, bool shards)
{
    m_asking = true;
    const bool sent
        = asker.connection->send({"CLUSTER", shards ? "SHARDS" : "SLOTS"},
                                 [this, asker, shards](const RedisReply &reply) { onAnswer(asker, shards, reply); });
    if (!sent) {
        m_asking = false;
        m_retry.start(RetryMs);
    }
}

void ClusterSlotSource::onAnswer(const Asker &asker, bool shards, const RedisReply &reply)
{
    if (shards && reply.isError() && reply.string.contains("unknown subcommand")) {
        ask(asker, false);
        return;
    }
    m_asking = false;
    if (m_stopped)
        return;
    QString error;
    const std::optional<ClusterSlotMap> map = shards ? ClusterSlotMap::fromShards(reply, asker.host, m_url.tls, &error)
                                                     : ClusterSlotMap::fromSlots(reply, asker.host, &error);
    if (!map || !map->isComplete()) {
        // A cluster still forming, or failing over: its map is complete again soon.
        qCInfo(lcRedis).noquote() << "slot map of" << m_url.toDisplayString()
                                  << "not usable yet:" << (map ? QStringLiteral("slots without a master") : error);
        m_retry.start(RetryMs);
        return;
    }
    emit mapReceived(*map);
    if (m_findAsker().connection)
        closeSeed();
    if (std::exchange(m_askAgain, false))
        refresh();
}

void ClusterSlotSource::openSeed()
{
    closeSeed();
    m_seed = new RedisConnection(m_url.atAddress(seedAddress()), m_clientName, RedisConnection::Mode::Command, this);
    connect(m_seed, &RedisConnection::ready, this, [this] { refresh(); });
    connect(m_seed, &RedisConnection::errorOccurred, this, &ClusterSlotSource::errorOccurred);
    connect(m_seed, &RedisConnection::errorOccurred, this, &ClusterSlotSource::onSeedFailed);
    m_seed->open();
}

void ClusterSlotSource::onSeedFailed()
{
    // The next seed, at once; a pause once every seed was tried.
    closeSeed();
    ++m_seedIndex;
    m_nextSeed.start(m_seedIndex % m_url.clusterNodes.size() == 0 ? RedisConnection::MaxReconnectDelayMs : 0);
}

void ClusterSlotSource::closeSeed()
{
    if (!m_seed)
        return;
    m_seed->disconnect(this);
    m_seed->close();
    m_seed->deleteLater();
    m_seed = nullptr;
}

const RedisUrl::Address &ClusterSlotSource::seedAddress() const
{
    return m_url.clusterNodes.at(m_seedIndex % m_url.clusterNodes.size());
}

}
