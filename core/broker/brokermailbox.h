#pragma once

#include "broker.h"

#include <QMutex>

#include <functional>
#include <memory>
#include <vector>

namespace fanout {

class ThreadBroker;

/// What a BrokerHub hands one ThreadBroker across threads: messages of its channels, the
/// shared broker's state changes and replies to its requests, in the order they were posted.
/// Posting (any thread) takes a lock once per item and wakes the owner's thread once per batch;
/// the owner drains the whole batch in one turn of its event loop. Once the owner is gone,
/// posts are dropped.
class BrokerMailbox : public std::enable_shared_from_this<BrokerMailbox>
{
public:
    struct Item {
        enum class Kind {
            Message,
            State,
            Call
        };
        Kind kind = Kind::Message;
        QByteArray channel;
        QByteArray message;
        Broker::State state = Broker::State::Disconnected;
        std::function<void()> call;
    };

    explicit BrokerMailbox(ThreadBroker *owner) : m_owner(owner) { }

    void post(Item item);
    void postMessage(const QByteArray &channel, const QByteArray &message);
    void postState(Broker::State state);
    void postCall(std::function<void()> call);
    /// On the owner's thread, before it goes.
    void close();

private:
    void drain();

    QMutex m_mutex;
    ThreadBroker *m_owner;
    std::vector<Item> m_items;
    bool m_drainPosted = false;
};

}
