#pragma once

#include "broker.h"

#include <QHash>
#include <QMutex>
#include <QObject>

#include <memory>
#include <vector>

namespace fanout {

class BrokerMailbox;
class ThreadBroker;

/// One broker shared by the Nodes of several I/O threads (fanout-node --threads): each thread's
/// Node talks to a ThreadBroker, and the hub, on the shared broker's thread, subscribes a channel
/// once while any thread wants it and hands each message to every thread subscribed to its
/// channel, once per thread. The hub owns the shared broker and must outlive the ThreadBrokers.
class BrokerHub : public QObject
{
    Q_OBJECT
public:
    /// Takes ownership of `broker`, which lives on this thread.
    explicit BrokerHub(Broker *broker, QObject *parent = nullptr);
    ~BrokerHub() override;

    Broker *broker() const { return m_broker; }
    /// Threads subscribed to a channel (0 when none).
    qsizetype subscriberCount(const QByteArray &channel) const;

private:
    friend class ThreadBroker;
    /// From any thread: a mailbox for `owner`, and the shared broker's state in *state; later
    /// states come through the mailbox.
    std::shared_ptr<BrokerMailbox> open(ThreadBroker *owner, Broker::State *state);
    /// The rest runs on the hub's thread.
    void close(const std::shared_ptr<BrokerMailbox> &mailbox);
    void subscribe(BrokerMailbox *mailbox, const QByteArray &channel);
    void unsubscribe(BrokerMailbox *mailbox, const QByteArray &channel);
    void onMessage(const QByteArray &channel, const QByteArray &message);
    void onStateChanged(Broker::State state);

    Broker *m_broker;
    QHash<QByteArray, std::vector<BrokerMailbox *>> m_subscribers;
    mutable QMutex m_mailboxesMutex; ///< open() comes from the threads
    std::vector<std::shared_ptr<BrokerMailbox>> m_mailboxes;
    Broker::State m_state;
};

}
