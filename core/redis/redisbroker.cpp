#include "redisbroker.h"

#include "clientnames.h"

#include "historyscripts.h"
#include "logging.h"
#include "presencescripts.h"
#include "redisconnection.h"
#include "sentinelresolver.h"

#include <QTimer>
#include <QUuid>

namespace fanout {

RedisBroker::RedisBroker(const RedisUrl &url, const QString &nodeId, QObject *parent)
    : Broker(parent), m_url(url),
      m_resolver(url.isSentinel() ? new SentinelResolver(url, ClientNames::nodeSentinel(nodeId), this) : nullptr),
      m_publisher(
          new RedisConnection(url, m_resolver, ClientNames::nodePublish(nodeId), RedisConnection::Mode::Command, this)),
      m_subscriber(new RedisConnection(url, m_resolver, ClientNames::nodeSubscribe(nodeId),
                                       RedisConnection::Mode::Subscriber, this)),
      m_epochPrefix(QUuid::createUuid().toString(QUuid::Id128).left(8).toLatin1())
{
    // Scripts first, so that every call on the connection finds them loaded.
    connect(m_publisher, &RedisConnection::ready, this, &RedisBroker::loadScripts);
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
    // Behind parked publishes, never ahead of them: they go out in order once connected.
    if (state() != State::Connected || hasParkedPublishes()) {
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

void RedisBroker::publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    if (state() != State::Connected || hasParkedPublishes()) {
        queueOffline(channel, envelope, std::move(append));
        return;
    }
    sendToHistory(channel, envelope, std::move(append));
}

void RedisBroker::sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    countPublished();
    const QByteArray epoch = nextEpoch();
    auto handle = [this, channel, envelope, append](const RedisReply &answer) mutable {
        // Not run, or maybe run (the connection went away): parked and sent again in order, the
        // script recognising what it already stored. Replies come in order, so the publishes
        // behind this one are parked behind it.
        if (HistoryScripts::isRetryable(answer)) {
            if (RedisScript::isNoScript(answer) && !hasParkedPublishes())
                loadScripts();
            queueOffline(channel, envelope, std::move(append));
            retrySoon();
            return;
        }
        if (answer.isError())
            qCWarning(lcRedis).noquote() << "history publish on" << channel << "failed:" << answer.string;
        if (append.reply)
            append.reply(HistoryScripts::parsePublish(answer));
    };
    m_publisher->send(HistoryScripts::publishCall(channel, envelope, append, epoch, true), std::move(handle));
}

void RedisBroker::readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply)
{
    runScript(HistoryScripts::readCall(channel, query, true), HistoryScripts::readCall(channel, query, false),
              [query, reply](const RedisReply &answer) { reply(HistoryScripts::parseRead(answer, query.latest)); });
}

void RedisBroker::changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply)
{
    if (state() != State::Connected) {
        if (reply)
            QMetaObject::invokeMethod(
                this, [reply = std::move(reply)] { reply(-1); }, Qt::QueuedConnection);
        return;
    }
    runScript(PresenceScripts::changeCall(change, ttlMs, true), PresenceScripts::changeCall(change, ttlMs, false),
              [set = change.set, reply = std::move(reply)](const RedisReply &answer) {
                  if (answer.isError())
                      qCWarning(lcRedis).noquote() << "presence change of" << set << "failed:" << answer.string;
                  if (reply)
                      reply(answer.type == RedisReply::Type::Integer ? answer.integer : -1);
              });
}

void RedisBroker::readPresence(const QByteArray &set, qint64, PresenceReadReply reply)
{
    runScript(PresenceScripts::readCall(set, true), PresenceScripts::readCall(set, false),
              [reply](const RedisReply &answer) { reply(PresenceScripts::parseRead(answer)); });
}

void RedisBroker::runScript(const QList<QByteArray> &bySha, QList<QByteArray> bySource,
                            std::function<void(const RedisReply &)> handle)
{
    auto onReply = [this, bySource = std::move(bySource), handle](const RedisReply &answer) {
        if (!RedisScript::isNoScript(answer) || !m_publisher->send(bySource, handle))
            handle(answer);
    };
    if (!m_publisher->send(bySha, std::move(onReply))) {
        QMetaObject::invokeMethod(
            this, [handle = std::move(handle)] { handle(RedisReply::makeError(RedisConnection::LostError)); },
            Qt::QueuedConnection);
    }
}

void RedisBroker::retrySoon()
{
    if (m_retryScheduled)
        return;
    m_retryScheduled = true;
    QTimer::singleShot(RetryMs, this, [this] {
        m_retryScheduled = false;
        if (state() == State::Connected)
            flushOfflineQueue();
    });
}

void RedisBroker::loadScripts()
{
    for (const RedisScript *script : {&HistoryScripts::publishScript(), &HistoryScripts::readScript(),
                                      &PresenceScripts::changeScript(), &PresenceScripts::readScript()})
        m_publisher->send({"SCRIPT", "LOAD", script->source()});
}

QByteArray RedisBroker::nextEpoch()
{
    return m_epochPrefix + '-' + QByteArray::number(++m_epochs, 36);
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

void RedisBroker::setProbeIntervalMs(int intervalMs)
{
    m_publisher->setProbeIntervalMs(intervalMs);
    m_subscriber->setProbeIntervalMs(intervalMs);
}

bool RedisBroker::sendCommand(const QList<QByteArray> &args)
{
    return m_publisher->send(args);
}

void RedisBroker::flushOfflineQueue()
{
    for (auto &entry : takeOfflineQueue()) {
        if (entry.history)
            sendToHistory(entry.channel, entry.message, std::move(*entry.history));
        else
            sendPublish(entry.channel, entry.message, std::move(entry.reply));
    }
}

void RedisBroker::updateState()
{
    const bool bothReady = m_publisher->isReady() && m_subscriber->isReady();
    if (bothReady) {
        if (state() == State::Connected)
            return;
        qCInfo(lcRedis) << "connected to" << m_url.toDisplayString();
        setState(State::Connected);
        // After the owner heard of it: what it asks on reconnecting (its rooms' positions)
        // goes out before the publishes parked meanwhile.
        flushOfflineQueue();
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
