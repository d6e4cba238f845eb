#include "brokerhub.h"

#include "brokermailbox.h"

#include <algorithm>

namespace fanout {

BrokerHub::BrokerHub(Broker *broker, QObject *parent) : QObject(parent), m_broker(broker), m_state(broker->state())
{
    m_broker->setParent(this);
    connect(m_broker, &Broker::messageReceived, this, &BrokerHub::onMessage);
    connect(m_broker, &Broker::stateChanged, this, &BrokerHub::onStateChanged);
}

BrokerHub::~BrokerHub() = default;

qsizetype BrokerHub::subscriberCount(const QByteArray &channel) const
{
    const auto found = m_subscribers.constFind(channel);
    return found == m_subscribers.cend() ? 0 : qsizetype(found->size());
}

std::shared_ptr<BrokerMailbox> BrokerHub::open(ThreadBroker *owner, Broker::State *state)
{
    auto mailbox = std::make_shared<BrokerMailbox>(owner);
    const QMutexLocker lock(&m_mailboxesMutex);
    m_mailboxes.push_back(mailbox);
    *state = m_state;
    return mailbox;
}

void BrokerHub::close(const std::shared_ptr<BrokerMailbox> &mailbox)
{
    for (auto it = m_subscribers.begin(); it != m_subscribers.end();) {
        std::erase(it.value(), mailbox.get());
        if (it.value().empty()) {
            m_broker->unsubscribe(it.key());
            it = m_subscribers.erase(it);
        } else {
            ++it;
        }
    }
    const QMutexLocker lock(&m_mailboxesMutex);
    std::erase(m_mailboxes, mailbox);
}

void BrokerHub::subscribe(BrokerMailbox *mailbox, const QByteArray &channel)
{
    // A thread that asks before it heard of a disconnect subscribes again once it hears of
    // the reconnect; recording it now would hide the channel from that second request.
    if (m_broker->state() != Broker::State::Connected)
        return;
    std::vector<BrokerMailbox *> &subscribers = m_subscribers[channel];
    if (std::ranges::find(subscribers, mailbox) != subscribers.end())
        return;
    subscribers.push_back(mailbox);
    if (subscribers.size() == 1)
        m_broker->subscribe(channel);
}

void BrokerHub::unsubscribe(BrokerMailbox *mailbox, const QByteArray &channel)
{
    const auto found = m_subscribers.find(channel);
    if (found == m_subscribers.end())
        return;
    std::erase(found.value(), mailbox);
    if (found->empty()) {
        m_subscribers.erase(found);
        m_broker->unsubscribe(channel);
    }
}

void BrokerHub::onMessage(const QByteArray &channel, const QByteArray &message)
{
    const auto found = m_subscribers.constFind(channel);
    if (found == m_subscribers.cend())
        return;
    for (BrokerMailbox *mailbox : *found)
        mailbox->postMessage(channel, message);
}

void BrokerHub::onStateChanged(Broker::State state)
{
    if (state != Broker::State::Connected)
        m_subscribers.clear();
    const QMutexLocker lock(&m_mailboxesMutex);
    m_state = state;
    for (const std::shared_ptr<BrokerMailbox> &mailbox : m_mailboxes)
        mailbox->postState(state);
}

}
