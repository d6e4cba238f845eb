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

void NodeRecordPublisher::withdraw()
{
    m_withdrawn = true;
    m_refresh.stop();
    m_debounce.stop();
    m_broker->sendCommand({"DEL", NodeRecord::key(m_identity.nodeId)});
    m_broker->sendCommand({"ZREM", NodeRecord::indexKey(), m_identity.nodeId.toUtf8()});
}

}
