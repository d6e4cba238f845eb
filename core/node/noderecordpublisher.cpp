#include "noderecordpublisher.h"

#include "node/node.h"
#include "noderecord.h"
#include "redis/redisbackedbroker.h"

#include <QCoreApplication>
#include <QDateTime>

namespace fanout {

NodeRecordPublisher::NodeRecordPublisher(Node *node, RedisBackedBroker *broker, const QString &address,
                                         const QString &version, QObject *parent)
    : QObject(parent), m_node(node), m_broker(broker), m_address(address), m_version(version),
      m_startedMs(QDateTime::currentMSecsSinceEpoch())
{
    m_refresh.setInterval(NodeRecord::RefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &NodeRecordPublisher::publish);
    m_refresh.start();
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(200);
    connect(&m_debounce, &QTimer::timeout, this, &NodeRecordPublisher::publish);
    connect(m_node, &Node::roomsChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_broker, &Broker::stateChanged, this, [this](Broker::State state) {
        if (state == Broker::State::Connected)
            publish();
    });
}

void NodeRecordPublisher::publish()
{
    if (m_withdrawn)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    NodeRecord record;
    record.id = m_node->id();
    record.address = m_address;
    record.version = m_version;
    record.prefix = m_node->channelPrefix();
    const QStringList rooms = m_node->rooms();
    record.rooms = rooms.mid(0, NodeRecord::MaxListedRooms);
    record.roomCount = rooms.size();
    record.sessions = m_node->sessionCount();
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
    m_broker->sendCommand({"DEL", NodeRecord::key(m_node->id())});
    m_broker->sendCommand({"ZREM", NodeRecord::indexKey(), m_node->id().toUtf8()});
}

}
