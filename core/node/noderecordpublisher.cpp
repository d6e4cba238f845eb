#include "noderecordpublisher.h"

#include "noderecord.h"
#include "redis/redisbackedbroker.h"

#include <QCoreApplication>
#include <QDateTime>

namespace fanout {

NodeRecordPublisher::NodeRecordPublisher(const Identity &identity, RedisBackedBroker *broker,
                                         std::function<Clients()> clients, QObject *parent)
    : QObject(parent), m_identity(identity), m_broker(broker), m_clients(std::move(clients)),
      m_startedMs(QDateTime::currentMSecsSinceEpoch())
{
    m_refresh.setInterval(NodeRecord::RefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &NodeRecordPublisher::publish);
    m_refresh.start();
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(200);
    connect(&m_debounce, &QTimer::timeout, this, &NodeRecordPublisher::publish);
    connect(m_broker, &Broker::stateChanged, this, [this](Broker::State state) {
        if (state == Broker::State::Connected)
            publish();
    });
}

void NodeRecordPublisher::roomsChanged()
{
    m_debounce.start();
}

void NodeRecordPublisher::publish()
{
    if (m_withdrawn)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    NodeRecord record;
    const Clients clients = m_clients();
    record.id = m_identity.nodeId;
    record.address = m_identity.address;
    record.version = m_identity.version;
    record.prefix = m_identity.channelPrefix;
    record.rooms = clients.rooms.mid(0, NodeRecord::MaxListedRooms);
    record.roomCount = clients.rooms.size();
    record.sessions = clients.sessions;
    summarize(clients, now, &record);
    record.subscriptions = m_broker->subscriptions().size();
    record.pid = QCoreApplication::applicationPid();
    record.startedMs = m_startedMs;
    record.updatedMs = now;
    const QByteArray key = NodeRecord::key(record.id);
    m_broker->sendCommand(QList<QByteArray> {"HSET", key} + record.toFields());
    m_broker->sendCommand({"EXPIRE", key, QByteArray::number(NodeRecord::TtlSeconds)});
    m_broker->sendCommand({"ZADD", NodeRecord::indexKey(), QByteArray::number(now), record.id.toUtf8()});
    m_broker->sendCommand(
        {"ZREMRANGEBYSCORE", NodeRecord::indexKey(), "-inf", QByteArray::number(now - NodeRecord::ForgetAfterMs)});
}

void NodeRecordPublisher::summarize(const Clients &clients, qint64 nowMs, NodeRecord *record)
{
    // Rates from the oldest sample still inside the window (the first record has none yet).
    while (m_samples.size() > 1 && m_samples[1].atMs <= nowMs - NodeRecord::RateWindowMs)
        m_samples.pop_front();
    if (!m_samples.empty() && m_samples.front().atMs < nowMs) {
        const Sample &oldest = m_samples.front();
        const double seconds = double(nowMs - oldest.atMs) / 1000.0;
        record->publishedPerSecond = double(clients.published - oldest.clients.published) / seconds;
        record->receivedPerSecond = double(clients.received - oldest.clients.received) / seconds;
        record->deliveredPerSecond = double(clients.delivered - oldest.clients.delivered) / seconds;
        const LatencyHistogram recent = clients.pubsubLag.since(oldest.clients.pubsubLag);
        record->lagP99Ms = recent.count() > 0 ? double(recent.quantileNs(0.99)) / 1e6 : 0.0;
    }
    m_samples.push_back({nowMs, clients});
}

void NodeRecordPublisher::withdraw()
{
    m_withdrawn = true;
    m_refresh.stop();
    m_debounce.stop();
    m_broker->sendCommand({"DEL", NodeRecord::key(m_identity.nodeId)});
    m_broker->sendCommand({"ZREM", NodeRecord::indexKey(), m_identity.nodeId.toUtf8()});
}

}
