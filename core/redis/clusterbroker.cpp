#include "clusterbroker.h"

#include "clientnames.h"
#include "logging.h"

#include <map>

namespace fanout {

namespace {

/// How long a command waits for the connection to a master it was redirected to.
constexpr int RedirectWaitMs = 50;

}

ClusterBroker::ClusterBroker(const RedisUrl &url, const QString &nodeId, QObject *parent)
    : RedisBackedBroker(url, parent), m_nodeId(nodeId),
      m_slotSource(new ClusterSlotSource(
          url, ClientNames::nodePublish(nodeId), [this] { return readyMaster(); }, this))
{
    connect(m_slotSource, &ClusterSlotSource::mapReceived, this, &ClusterBroker::applySlots);
    connect(m_slotSource, &ClusterSlotSource::errorOccurred, this, &ClusterBroker::errorOccurred);
    m_subscribeTimer.setSingleShot(true);
    connect(&m_subscribeTimer, &QTimer::timeout, this, &ClusterBroker::flushSubscribes);
    start();
}

ClusterBroker::~ClusterBroker()
{
    // The connections fail their pending handlers as they go, and those call back into this
    // broker and its slot source: they must go while both are whole, not with the children
    // after ~RedisBackedBroker (the slot source, an older child, would go first).
    qDeleteAll(findChildren<RedisConnection *>(Qt::FindDirectChildrenOnly));
}

void ClusterBroker::start()
{
    setState(State::Connecting);
    m_slotSource->refresh();
}

ClusterSlotSource::Asker ClusterBroker::readyMaster() const
{
    for (const auto &[key, master] : m_masters) {
        if (master->commands->isReady())
            return {master->commands, master->address.host};
    }
    return {};
}

void ClusterBroker::applySlots(const ClusterSlotMap &map)
{
    m_slots = map;
    QSet<QString> current;
    for (const RedisUrl::Address &address : map.masters())
        current.insert(masterAt(address, true)->address.toString());
    for (auto it = m_masters.begin(); it != m_masters.end();) {
        const QString key = (it++)->first;
        if (!current.contains(key))
            dropMaster(key);
    }
    // Channels whose slot moved while their master kept quiet about it go to the new owner too.
    for (const auto &[key, master] : m_masters) {
        for (const QByteArray &channel : QSet<QByteArray>(master->channels)) {
            if (ownerOf(channel) != master.get())
                rehome(master.get(), channel);
        }
    }
    updateState();
    flushSubscribes();
    // Until every master answers, the map may still name one that is gone for good.
    if (state() != State::Connected)
        m_slotSource->refreshLater(RedisConnection::MaxReconnectDelayMs);
}

ClusterBroker::Master *ClusterBroker::masterAt(const RedisUrl::Address &address, bool create)
{
    const QString key = address.toString();
    const auto found = m_masters.find(key);
    if (found != m_masters.end() || !create)
        return found != m_masters.end() ? found->second.get() : nullptr;
    auto master = std::make_unique<Master>();
    master->address = address;
    Master *added = master.get();
    m_masters.emplace(key, std::move(master));
    added->commands = connectionTo(added, RedisConnection::Mode::Command);
    return added;
}

ClusterBroker::Master *ClusterBroker::ownerOf(const QByteArray &channel) const
{
    const std::optional<RedisUrl::Address> owner = m_slots.ownerOf(HashSlot::of(channel));
    if (!owner)
        return nullptr;
    const auto found = m_masters.find(owner->toString());
    return found != m_masters.end() ? found->second.get() : nullptr;
}

RedisConnection *ClusterBroker::connectionTo(Master *master, RedisConnection::Mode mode)
{
    const bool commands = mode == RedisConnection::Mode::Command;
    auto *connection = new RedisConnection(
        url().atAddress(master->address),
        commands ? ClientNames::nodePublish(m_nodeId) : ClientNames::nodeSubscribe(m_nodeId), mode, this);
    connection->setProbeIntervalMs(m_probeIntervalMs);
    connect(connection, &RedisConnection::errorOccurred, this, &ClusterBroker::errorOccurred);
    connect(connection, &RedisConnection::lost, this, &ClusterBroker::onLost);
    if (commands) {
        // Scripts first, so that every call on the connection finds them loaded.
        connect(connection, &RedisConnection::ready, this, [connection] { loadScripts(connection); });
        connect(connection, &RedisConnection::ready, this, &ClusterBroker::updateState);
    } else {
        connect(connection, &RedisConnection::ready, this, &ClusterBroker::flushSubscribes);
        connect(connection, &RedisConnection::pushReceived, this,
                [this, master](const RedisReply &reply) { onPush(master, reply); });
    }
    if (m_linkUp)
        connection->open();
    return connection;
}

void ClusterBroker::dropMaster(const QString &key)
{
    const auto found = m_masters.find(key);
    Master *master = found->second.get();
    for (const QByteArray &channel : std::as_const(master->channels)) {
        if (isSubscribed(channel))
            m_toSubscribe.insert(channel);
    }
    for (RedisConnection *connection : {master->commands, master->subscriber}) {
        if (!connection)
            continue;
        connection->disconnect(this);
        connection->close();
        connection->deleteLater();
    }
    m_masters.erase(found);
}

bool ClusterBroker::sendFor(const QByteArray &key, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler)
{
    Master *master = ownerOf(key);
    return master && sendTo(master, args, std::move(handler), MaxRedirects, false);
}

bool ClusterBroker::sendTo(Master *master, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler,
                           int redirectsLeft, bool asking)
{
    RedisConnection *connection = master->commands;
    if (!connection->isReady())
        return false;
    if (asking)
        connection->send({"ASKING"});
    const QString host = master->address.host;
    return connection->send(args, [this, host, args, handler, redirectsLeft](const RedisReply &reply) {
        const std::optional<ClusterSlotMap::Redirect> redirect = ClusterSlotMap::Redirect::parse(reply, host);
        if (!redirect || redirectsLeft <= 0) {
            if (handler)
                handler(reply);
            return;
        }
        if (redirect->kind == ClusterSlotMap::Redirect::Kind::Moved) {
            m_slots.assign(redirect->slot, redirect->address);
            m_slotSource->refresh();
        }
        followRedirect(*redirect, args, handler, redirectsLeft - 1);
    });
}

void ClusterBroker::followRedirect(const ClusterSlotMap::Redirect &redirect, const QList<QByteArray> &args,
                                   RedisConnection::ReplyHandler handler, int redirectsLeft)
{
    Master *target = masterAt(redirect.address, true);
    const bool asking = redirect.kind == ClusterSlotMap::Redirect::Kind::Ask;
    if (sendTo(target, args, handler, redirectsLeft, asking))
        return;
    if (redirectsLeft <= 0) {
        if (handler)
            handler(RedisReply::makeError("CLUSTERDOWN cannot reach " + redirect.address.toString().toUtf8()));
        return;
    }
    // A master we had no connection to yet: its connection is on the way.
    QTimer::singleShot(RedirectWaitMs, this, [this, redirect, args, handler, redirectsLeft] {
        followRedirect(redirect, args, handler, redirectsLeft - 1);
    });
}

void ClusterBroker::subscribe(const QByteArray &channel)
{
    if (state() != State::Connected || isSubscribed(channel))
        return;
    addSubscription(channel);
    m_toSubscribe.insert(channel);
    if (!m_subscribeTimer.isActive())
        m_subscribeTimer.start(0);
}

void ClusterBroker::unsubscribe(const QByteArray &channel)
{
    if (state() != State::Connected || !removeSubscription(channel))
        return;
    if (m_toSubscribe.remove(channel))
        return;
    for (const auto &[key, master] : m_masters) {
        if (master->channels.remove(channel)) {
            if (master->unconfirmed.remove(channel))
                subscribeConfirmed();
            master->leaving.insert(channel);
            master->subscriber->send({"SUNSUBSCRIBE", channel});
            return;
        }
    }
}

void ClusterBroker::flushSubscribes()
{
    if (state() != State::Connected)
        return;
    // One SSUBSCRIBE per master and slot: a command's channels must share a slot.
    std::map<std::pair<Master *, quint16>, QList<QByteArray>> batches;
    bool unknownOwner = false;
    for (const QByteArray &channel : std::as_const(m_toSubscribe)) {
        Master *master = ownerOf(channel);
        if (!master) {
            unknownOwner = true;
            continue;
        }
        if (!master->subscriber)
            master->subscriber = connectionTo(master, RedisConnection::Mode::Subscriber);
        if (master->subscriber->isReady())
            batches[{master, HashSlot::of(channel)}].append(channel);
    }
    for (const auto &[where, channels] : batches) {
        Master *master = where.first;
        master->subscriber->send(QList<QByteArray> {"SSUBSCRIBE"} + channels);
        for (const QByteArray &channel : channels) {
            master->channels.insert(channel);
            master->unconfirmed.insert(channel);
            master->leaving.remove(channel);
            m_toSubscribe.remove(channel);
            subscribeSent(channel);
        }
    }
    if (unknownOwner)
        m_slotSource->refresh();
}

void ClusterBroker::onPush(Master *master, const RedisReply &reply)
{
    if (reply.isError()) {
        // A refused SSUBSCRIBE (its slot moved before the command arrived) names the slot.
        const std::optional<ClusterSlotMap::Redirect> redirect
            = ClusterSlotMap::Redirect::parse(reply, master->address.host);
        if (!redirect) {
            qCWarning(lcRedis).noquote() << master->address.toString() << "refused a subscription:" << reply.string;
            return;
        }
        m_slots.assign(redirect->slot, redirect->address);
        for (const QByteArray &channel : QSet<QByteArray>(master->unconfirmed)) {
            if (HashSlot::of(channel) == redirect->slot)
                rehome(master, channel);
        }
        m_slotSource->refresh();
        return;
    }
    if (reply.type != RedisReply::Type::Array || reply.elements.size() < 3)
        return;
    const QByteArray &kind = reply.elements.at(0).string;
    const QByteArray &channel = reply.elements.at(1).string;
    if (kind == "smessage") {
        countReceived(reply.elements.at(2).string.size());
        emit messageReceived(channel, reply.elements.at(2).string);
    } else if (kind == "ssubscribe") {
        if (master->unconfirmed.remove(channel))
            subscribeConfirmed();
    } else if (kind == "sunsubscribe" && !master->leaving.remove(channel) && master->channels.contains(channel)) {
        qCInfo(lcRedis).noquote() << master->address.toString() << "dropped" << channel
                                  << "(its slot moved): subscribing at the new owner";
        rehome(master, channel);
        // The master that dropped it knows the new owner first.
        m_slotSource->refresh({master->commands, master->address.host});
    }
}

void ClusterBroker::rehome(Master *master, const QByteArray &channel)
{
    if (master->unconfirmed.remove(channel))
        subscribeConfirmed();
    if (master->channels.remove(channel) && master->subscriber && master->subscriber->isReady()) {
        master->leaving.insert(channel);
        master->subscriber->send({"SUNSUBSCRIBE", channel});
    }
    if (isSubscribed(channel))
        m_toSubscribe.insert(channel);
}

void ClusterBroker::onLost()
{
    if (state() == State::Connected) {
        qCInfo(lcRedis) << "lost a connection to" << url().toDisplayString() << "- asking for the slot map again";
        forgetSubscriptions();
        setState(m_linkUp ? State::Connecting : State::Disconnected);
    }
    if (m_linkUp)
        m_slotSource->refresh();
}

void ClusterBroker::forgetSubscriptions()
{
    // Closing a subscribe connection ends its subscriptions on the server too.
    for (const auto &[key, master] : m_masters) {
        if (master->subscriber) {
            master->subscriber->disconnect(this);
            master->subscriber->close();
            master->subscriber->deleteLater();
            master->subscriber = nullptr;
        }
        master->channels.clear();
        master->unconfirmed.clear();
        master->leaving.clear();
    }
    m_toSubscribe.clear();
    m_subscribeTimer.stop();
}

void ClusterBroker::updateState()
{
    if (state() == State::Connected || !m_linkUp || !m_slots.isComplete() || m_masters.empty())
        return;
    for (const auto &[key, master] : m_masters) {
        if (!master->commands->isReady())
            return;
    }
    qCInfo(lcRedis).noquote() << "connected to" << url().toDisplayString() << "-" << m_masters.size() << "masters";
    m_slotSource->releaseSeed();
    setState(State::Connected);
    flushWhenSubscribed();
}

void ClusterBroker::setLinkUp(bool up)
{
    if (up == m_linkUp)
        return;
    m_linkUp = up;
    if (up) {
        for (const auto &[key, master] : m_masters)
            master->commands->open();
        m_slotSource->refresh();
        return;
    }
    qCInfo(lcRedis) << "link to" << url().toDisplayString() << "cut";
    forgetSubscriptions();
    for (const auto &[key, master] : m_masters)
        master->commands->close();
    m_slotSource->stop();
    setState(State::Disconnected);
}

void ClusterBroker::setProbeIntervalMs(int intervalMs)
{
    m_probeIntervalMs = intervalMs;
    for (const auto &[key, master] : m_masters) {
        for (RedisConnection *connection : {master->commands, master->subscriber}) {
            if (connection)
                connection->setProbeIntervalMs(intervalMs);
        }
    }
}

QStringList ClusterBroker::subscribedMasters() const
{
    QStringList masters;
    for (const auto &[key, master] : m_masters) {
        if (master->subscriber)
            masters.append(key);
    }
    masters.sort();
    return masters;
}

}
