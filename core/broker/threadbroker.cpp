#include "threadbroker.h"

#include "brokerhub.h"
#include "crossthreadcall.h"

namespace fanout {

ThreadBroker::ThreadBroker(BrokerHub *hub, QObject *parent) : Broker(parent), m_hub(hub)
{
    State state = State::Disconnected;
    m_mailbox = hub->open(this, &state);
    setState(state);
}

ThreadBroker::~ThreadBroker()
{
    m_mailbox->close();
    invokeQueued(m_hub, [hub = m_hub, mailbox = m_mailbox] { hub->close(mailbox); });
}

void ThreadBroker::toHub(std::function<void(Broker *shared)> request)
{
    invokeQueued(m_hub, [hub = m_hub, request = std::move(request)] { request(hub->broker()); });
}

template<typename Reply>
Reply ThreadBroker::back(Reply reply) const
{
    if (!reply)
        return {};
    return [mailbox = m_mailbox, reply = std::move(reply)](const auto &answer) {
        mailbox->postCall([reply, answer] { reply(answer); });
    };
}

void ThreadBroker::subscribe(const QByteArray &channel)
{
    if (currentState() != State::Connected || isSubscribed(channel))
        return;
    addSubscription(channel);
    invokeQueued(m_hub, [hub = m_hub, mailbox = m_mailbox.get(), channel] { hub->subscribe(mailbox, channel); });
}

void ThreadBroker::unsubscribe(const QByteArray &channel)
{
    if (!removeSubscription(channel))
        return;
    invokeQueued(m_hub, [hub = m_hub, mailbox = m_mailbox.get(), channel] { hub->unsubscribe(mailbox, channel); });
}

void ThreadBroker::publish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    if (currentState() != State::Connected || hasParkedPublishes()) {
        queueOffline(channel, message, std::move(reply));
        return;
    }
    sendPublish(channel, message, std::move(reply));
}

void ThreadBroker::sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply)
{
    countPublished();
    toHub([channel, message, reply = back(std::move(reply))](Broker *shared) {
        shared->publish(channel, message, reply);
    });
}

void ThreadBroker::publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    if (currentState() != State::Connected || hasParkedPublishes()) {
        queueOffline(channel, envelope, std::move(append));
        return;
    }
    sendToHistory(channel, envelope, std::move(append));
}

void ThreadBroker::sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append)
{
    countPublished();
    append.reply = back(std::move(append.reply));
    toHub([channel, envelope, append = std::move(append)](Broker *shared) {
        shared->publishToHistory(channel, envelope, append);
    });
}

void ThreadBroker::readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply)
{
    toHub([channel, query, reply = back(std::move(reply))](Broker *shared) {
        shared->readHistory(channel, query, reply);
    });
}

void ThreadBroker::changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply)
{
    toHub([change, ttlMs, reply = back(std::move(reply))](Broker *shared) {
        shared->changePresence(change, ttlMs, reply);
    });
}

void ThreadBroker::readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply)
{
    toHub([set, nowMs, reply = back(std::move(reply))](Broker *shared) { shared->readPresence(set, nowMs, reply); });
}

void ThreadBroker::setLinkUp(bool up)
{
    m_linkUp = up;
    toHub([up](Broker *shared) { shared->setLinkUp(up); });
    if (!up)
        setState(State::Disconnected);
}

void ThreadBroker::take(std::vector<BrokerMailbox::Item> &items)
{
    for (BrokerMailbox::Item &item : items) {
        switch (item.kind) {
        case BrokerMailbox::Item::Kind::Message:
            // A message of a channel left meanwhile is not this thread's any more.
            if (isSubscribed(item.channel)) {
                countReceived(item.message.size());
                emit messageReceived(item.channel, item.message);
            }
            break;
        case BrokerMailbox::Item::Kind::State:
            changeState(item.state);
            break;
        case BrokerMailbox::Item::Kind::Call:
            item.call();
            break;
        }
    }
}

void ThreadBroker::changeState(State state)
{
    const bool connecting = state == State::Connected && currentState() != State::Connected;
    setState(state);
    if (!connecting)
        return;
    // The owner subscribed again on hearing of the connection, so the hub has those requests
    // first and the shared broker holds the publishes until its subscriptions are confirmed.
    // What the owner published meanwhile was parked behind what this thread parked before.
    sendParkedPublishes();
}

}
