#include "brokermailbox.h"

#include "crossthreadcall.h"
#include "threadbroker.h"

namespace fanout {

void BrokerMailbox::post(Item item)
{
    const QMutexLocker lock(&m_mutex);
    if (!m_owner)
        return;
    m_items.push_back(std::move(item));
    if (m_drainPosted)
        return;
    m_drainPosted = true;
    // The event goes with its target: if the owner is destroyed first, Qt discards it.
    invokeQueued(m_owner, [self = shared_from_this()] { self->drain(); });
}

void BrokerMailbox::postMessage(const QByteArray &channel, const QByteArray &message)
{
    post({Item::Kind::Message, channel, message, {}, {}});
}

void BrokerMailbox::postState(Broker::State state)
{
    post({Item::Kind::State, {}, {}, state, {}});
}

void BrokerMailbox::postCall(std::function<void()> call)
{
    post({Item::Kind::Call, {}, {}, {}, std::move(call)});
}

void BrokerMailbox::close()
{
    const QMutexLocker lock(&m_mutex);
    m_owner = nullptr;
    m_items.clear();
}

void BrokerMailbox::drain()
{
    std::vector<Item> items;
    ThreadBroker *owner = nullptr;
    {
        const QMutexLocker lock(&m_mutex);
        items.swap(m_items);
        m_drainPosted = false;
        owner = m_owner;
    }
    if (owner)
        owner->take(items);
}

}
