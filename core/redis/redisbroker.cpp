#include "redisbroker.h"

#include "clientnames.h"

#include "logging.h"
#include "redisconnection.h"

namespace fanout {

RedisBroker::RedisBroker(const RedisUrl &url, const QString &nodeId, QObject *parent)
    : Broker(parent), m_url(url),
      m_publisher(new RedisConnection(url, ClientNames::nodePublish(nodeId), RedisConnection::Mode::Command, this)),
      m_subscriber(
          new RedisConnection(url, ClientNames::nodeSubscribe(nodeId), RedisConnection::Mode::Subscriber, this))
{
    connect(m_publisher, &RedisConnection::ready, this, &RedisBroker::flushOfflineQueue);
    for (RedisConnection *connection : {m_publisher, m_subscriber}) {
        connect(connection, &RedisConnection::ready, this, &RedisBroker::updateState);
        connect(connection, &RedisConnection::lost, this, &RedisBroker::updateState);
        connect(connection, &RedisConnection::errorOccurred, this, &RedisBroker::errorOccurred);
    }
    connect(m_subscriber, &RedisConnection::pushReceived, this, &RedisBroker::onPush);
    setState(State::Connecting);
    m_publisher->open();
    m_subscriber->open();
}

RedisBroker::~RedisBroker() = default;

void RedisBroker::subscribe(const QByteArray &channel)
{
    if (state() != State::Connected || isSubscribed(channel))
        return;
    if (m_subscriber->send({"SUBSCRIBE", channel}))
        subscribeSent(channel);
}

void RedisBroker::unsubscribe(const QByteArray &channel)
{
    if (state() != State::Connected || !removeSubscription(channel))
        return;
    m_subscriber->send({"UNSUBSCRIBE", channel});
}

void RedisBroker::publish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    if (!m_publisher->isReady()) {
        queueOffline(channel, message, std::move(reply));
        return;
    }
    sendPublish(channel, message, std::move(reply));
}

void RedisBroker::sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    countPublished();
    if (!reply) {
        m_publisher->send({"PUBLISH", channel, message});
        return;
    }
    m_publisher->send({"PUBLISH", channel, message}, [reply = std::move(reply)](const RedisReply &answer) {
        reply(answer.type == RedisReply::Type::Integer ? answer.integer : -1);
    });
}

void RedisBroker::setLinkUp(bool up)
{
    if (up == m_linkUp)
        return;
    m_linkUp = up;
    if (up) {
        m_publisher->open();
        m_subscriber->open();
    } else {
        qCInfo(lcRedis) << "link to" << m_url.toDisplayString() << "cut";
        m_publisher->close();
        m_subscriber->close();
    }
    updateState();
}

bool RedisBroker::sendCommand(const QList<QByteArray> &args)
{
    return m_publisher->send(args);
}

void RedisBroker::flushOfflineQueue()
{
    for (auto &entry : takeOfflineQueue())
        sendPublish(entry.channel, entry.message, std::move(entry.reply));
}

void RedisBroker::updateState()
{
    const bool bothReady = m_publisher->isReady() && m_subscriber->isReady();
    if (bothReady) {
        if (state() == State::Connected)
            return;
        qCInfo(lcRedis) << "connected to" << m_url.toDisplayString();
        setState(State::Connected);
        return;
    }
    if (state() == State::Connected && m_subscriber->isReady())
        m_subscriber->send({"UNSUBSCRIBE"});
    setState(m_linkUp ? State::Connecting : State::Disconnected);
}

void RedisBroker::onPush(const RedisReply &reply)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.size() < 3)
        return;
    if (reply.elements.at(0).string == "subscribe") {
        subscribeConfirmed();
        return;
    }
    if (reply.elements.at(0).string == "message") {
        countReceived(reply.elements.at(2).string.size());
        emit messageReceived(reply.elements.at(1).string, reply.elements.at(2).string);
    }
}

}
