#include "redisbroker.h"

#include "clientnames.h"

#include "logging.h"
#include "redisconnection.h"
#include "sentinelresolver.h"

namespace fanout {

RedisBroker::RedisBroker(const RedisUrl &url, const QString &nodeId, QObject *parent)
    : RedisBackedBroker(url, parent),
      m_resolver(url.isSentinel() ? new SentinelResolver(url, ClientNames::nodeSentinel(nodeId), this) : nullptr),
      m_publisher(
          new RedisConnection(url, m_resolver, ClientNames::nodePublish(nodeId), RedisConnection::Mode::Command, this)),
      m_subscriber(new RedisConnection(url, m_resolver, ClientNames::nodeSubscribe(nodeId),
                                       RedisConnection::Mode::Subscriber, this))
{
    // Scripts first, so that every call on the connection finds them loaded.
    connect(m_publisher, &RedisConnection::ready, this, [this] { loadScripts(m_publisher); });
    for (RedisConnection *connection : {m_publisher, m_subscriber}) {
        connect(connection, &RedisConnection::ready, this, &RedisBroker::updateState);
        connect(connection, &RedisConnection::lost, this, &RedisBroker::updateState);
        connect(connection, &RedisConnection::errorOccurred, this, &RedisBroker::errorOccurred);
    }
    connect(m_subscriber, &RedisConnection::pushReceived, this, &RedisBroker::onPush);
    setProbeIntervalMs(DefaultProbeIntervalMs);
    setState(State::Connecting);
    m_publisher->open();
    m_subscriber->open();
}

RedisBroker::~RedisBroker()
{
    // The connections fail their pending handlers as they go, and those call back into this
    // broker: they must go while it is whole, not with the children after ~RedisBackedBroker.
    qDeleteAll(findChildren<RedisConnection *>(Qt::FindDirectChildrenOnly));
}

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

bool RedisBroker::sendFor(const QByteArray &, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler)
{
    return m_publisher->send(args, std::move(handler));
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
        qCInfo(lcRedis) << "link to" << url().toDisplayString() << "cut";
        m_publisher->close();
        m_subscriber->close();
    }
    updateState();
}

void RedisBroker::setProbeIntervalMs(int intervalMs)
{
    m_publisher->setProbeIntervalMs(intervalMs);
    m_subscriber->setProbeIntervalMs(intervalMs);
}

void RedisBroker::updateState()
{
    const bool bothReady = m_publisher->isReady() && m_subscriber->isReady();
    if (bothReady) {
        if (state() == State::Connected)
            return;
        qCInfo(lcRedis) << "connected to" << url().toDisplayString();
        setState(State::Connected);
        // After the owner heard of it: what it asks on reconnecting (its rooms' positions)
        // goes out before the publishes parked meanwhile, and those wait for its subscriptions.
        flushWhenSubscribed();
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
