#pragma once

#include "broker.h"
#include "brokermailbox.h"

#include <memory>
#include <vector>

namespace fanout {

class BrokerHub;

/// The Broker of a Node on an I/O thread of its own: every request goes to the BrokerHub's
/// thread, where one shared broker carries it out, and what the shared broker receives comes
/// back through a BrokerMailbox: a message of a channel this broker subscribed to reaches it
/// once, however many sessions its Node delivers it to. The contract of Broker holds as seen
/// from this thread: what is published while this thread sees no connection waits in its own
/// offline queue (and what the shared broker gets while it lost the connection, in the shared
/// broker's). The hub must outlive it.
class ThreadBroker : public Broker
{
    Q_OBJECT
public:
    /// On the thread it serves.
    explicit ThreadBroker(BrokerHub *hub, QObject *parent = nullptr);
    ~ThreadBroker() override;

    State state() const override { return currentState(); }
    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void publish(const QByteArray &channel, const QByteArray &message, PublishReply reply = {}) override;
    void publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    void readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply) override;
    void changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply = {}) override;
    void readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply) override;
    /// Cuts or heals the shared broker's link, for every thread.
    void setLinkUp(bool up) override;
    bool isLinkUp() const override { return m_linkUp; }

private:
    friend class BrokerMailbox;
    void take(std::vector<BrokerMailbox::Item> &items);
    void changeState(State state);
    void sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply) override;
    void sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    /// Runs `request` on the hub's thread.
    void toHub(std::function<void(Broker *shared)> request);
    /// A reply of the shared broker, brought back to this thread.
    template<typename Reply>
    Reply back(Reply reply) const;

    BrokerHub *m_hub;
    std::shared_ptr<BrokerMailbox> m_mailbox;
    bool m_linkUp = true;
};

}
