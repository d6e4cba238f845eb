#include "redisbackedbroker.h"

#include "clusterbroker.h"
#include "historyscripts.h"
#include "logging.h"
#include "presencescripts.h"
#include "redisbroker.h"

#include <QTimer>
#include <QUuid>

#include <array>

namespace fanout {

RedisBackedBroker *RedisBackedBroker::create(const RedisUrl &url, const QString &nodeId, QObject *parent)
{
    if (url.isCluster())
        return new ClusterBroker(url, nodeId, parent);
    return new RedisBroker(url, nodeId, parent);
}

RedisBackedBroker::RedisBackedBroker(const RedisUrl &url, QObject *parent)
    : Broker(parent), m_url(url), m_subscribeHold(new QTimer(this)),
      m_epochPrefix(QUuid::createUuid().toString(QUuid::Id128).left(8).toLatin1())
{
    m_subscribeHold->setSingleShot(true);
    m_subscribeHold->setInterval(SubscribeHoldMs);
    connect(m_subscribeHold, &QTimer::timeout, this, &RedisBackedBroker::sendParkedPublishes);
    // A hold belongs to one connection: the next one waits for its own subscriptions.
    connect(this, &Broker::stateChanged, m_subscribeHold, [this](State now) {
        if (now != State::Connected)
            m_subscribeHold->stop();
    });
}

bool RedisBackedBroker::canSendNow() const
{
    // Behind parked publishes, never ahead of them: they go out in order once connected. Nor
    // ahead of a subscription of this broker, which its own members would miss, unless there is
    // no queue to wait in: a publish that would be dropped is better sent.
    return state() == State::Connected && !hasParkedPublishes() && (!subscribesOutstanding() || !canParkPublishes());
}

void RedisBackedBroker::holdForSubscribes()
{
    if (state() == State::Connected && subscribesOutstanding() && !m_subscribeHold->isActive())
        m_subscribeHold->start();
}

void RedisBackedBroker::flushWhenSubscribed()
{
    if (subscribesOutstanding())
        holdForSubscribes();
    else
        sendParkedPublishes();
}

void RedisBackedBroker::subscriptionsSettled()
{
    if (!m_subscribeHold->isActive() || subscribesOutstanding())
        return;
    m_subscribeHold->stop();
    sendParkedPublishes();
}

void RedisBackedBroker::publish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    if (!canSendNow()) {
        queueOffline(channel, message, std::move(reply));
        holdForSubscribes();
        return;
    }
    sendPublish(channel, message, std::move(reply));
}

void RedisBackedBroker::sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    countPublished();
    const QList<QByteArray> command {isSharded() ? "SPUBLISH" : "PUBLISH", channel, message};
    RedisConnection::ReplyHandler handler;
    if (reply) {
        handler = [reply](const RedisReply &answer) {
            reply(answer.type == RedisReply::Type::Integer ? answer.integer : -1);
        };
    }
    if (!sendFor(channel, command, handler) && reply)
        QMetaObject::invokeMethod(
            this, [reply = std::move(reply)] { reply(-1); }, Qt::QueuedConnection);
}

void RedisBackedBroker::publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    if (!canSendNow()) {
        queueOffline(channel, envelope, std::move(append));
        holdForSubscribes();
        return;
    }
    sendToHistory(channel, envelope, std::move(append));
}

void RedisBackedBroker::sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    countPublished();
    const QByteArray epoch = nextEpoch();
    auto handle = [this, channel, envelope, append](const RedisReply &answer) mutable {
        // Not run, or maybe run (the connection went away): parked and sent again in order, the
        // script recognising what it already stored. Replies come in order, so the publishes
        // behind this one are parked behind it.
        if (HistoryScripts::isRetryable(answer)) {
            if (RedisScript::isNoScript(answer) && !hasParkedPublishes())
                loadScriptsFor(channel);
            queueOffline(channel, envelope, std::move(append));
            retrySoon();
            return;
        }
        if (answer.isError())
            qCWarning(lcRedis).noquote() << "history publish on" << channel << "failed:" << answer.string;
        if (append.reply)
            append.reply(HistoryScripts::parsePublish(answer));
    };
    const QList<QByteArray> call = HistoryScripts::publishCall(channel, envelope, append, epoch, isSharded(), true);
    if (!sendFor(channel, call, handle))
        handle(RedisReply::makeError(RedisConnection::LostError));
}

void RedisBackedBroker::readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply)
{
    runScript(channel, HistoryScripts::readCall(channel, query, true), HistoryScripts::readCall(channel, query, false),
              [query, reply](const RedisReply &answer) { reply(HistoryScripts::parseRead(answer, query.latest)); });
}

void RedisBackedBroker::changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply)
{
    if (state() != State::Connected) {
        if (reply)
            QMetaObject::invokeMethod(
                this, [reply = std::move(reply)] { reply(-1); }, Qt::QueuedConnection);
        return;
    }
    const bool sharded = isSharded();
    runScript(
        change.set, PresenceScripts::changeCall(change, ttlMs, sharded, true),
        PresenceScripts::changeCall(change, ttlMs, sharded, false),
        [this, set = change.set, channel = change.eventChannel, reply = std::move(reply)](const RedisReply &answer) {
            if (answer.isError())
                qCWarning(lcRedis).noquote() << "presence change of" << set << "failed:" << answer.string;
            const qint64 remaining = publishPresenceEvents(channel, answer);
            if (reply)
                reply(remaining);
        });
}

qint64 RedisBackedBroker::publishPresenceEvents(const QByteArray &channel, const RedisReply &answer)
{
    if (answer.type == RedisReply::Type::Integer)
        return answer.integer;
    if (answer.type != RedisReply::Type::Array || answer.elements.isEmpty())
        return -1;
    // Through publish(), like any message: behind what is parked, never ahead of it. (Elsewhere
    // the script publishes them itself, inside the change.)
    for (qsizetype i = 1; i < answer.elements.size(); ++i)
        publish(channel, answer.elements.at(i).string, {});
    return answer.elements.first().integer;
}

void RedisBackedBroker::readPresence(const QByteArray &set, qint64, PresenceReadReply reply)
{
    runScript(set, PresenceScripts::readCall(set, true), PresenceScripts::readCall(set, false),
              [reply](const RedisReply &answer) { reply(PresenceScripts::parseRead(answer)); });
}

void RedisBackedBroker::runScript(const QByteArray &key, const QList<QByteArray> &bySha, QList<QByteArray> bySource,
                                  std::function<void(const RedisReply &)> handle)
{
    auto onReply = [this, key, bySource = std::move(bySource), handle](const RedisReply &answer) {
        if (!RedisScript::isNoScript(answer) || !sendFor(key, bySource, handle))
            handle(answer);
    };
    if (!sendFor(key, bySha, std::move(onReply))) {
        QMetaObject::invokeMethod(
            this, [handle = std::move(handle)] { handle(RedisReply::makeError(RedisConnection::LostError)); },
            Qt::QueuedConnection);
    }
}

void RedisBackedBroker::retrySoon()
{
    if (m_retryScheduled)
        return;
    m_retryScheduled = true;
    QTimer::singleShot(RetryMs, this, [this] {
        m_retryScheduled = false;
        sendParkedPublishes();
    });
}

namespace {

const std::array<const RedisScript *, 4> &allScripts()
{
    static const std::array<const RedisScript *, 4> scripts {
        &HistoryScripts::publishScript(), &HistoryScripts::readScript(), &PresenceScripts::changeScript(),
        &PresenceScripts::readScript()};
    return scripts;
}

}

void RedisBackedBroker::loadScripts(RedisConnection *connection)
{
    for (const RedisScript *script : allScripts())
        connection->send({"SCRIPT", "LOAD", script->source()});
}

void RedisBackedBroker::loadScriptsFor(const QByteArray &key)
{
    for (const RedisScript *script : allScripts())
        sendFor(key, {"SCRIPT", "LOAD", script->source()}, {});
}

QByteArray RedisBackedBroker::nextEpoch()
{
    return m_epochPrefix + '-' + QByteArray::number(++m_epochs, 36);
}

}
