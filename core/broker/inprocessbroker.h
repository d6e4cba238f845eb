#pragma once

#include "broker.h"

#include <vector>

namespace fanout {

class InProcessBus;

/// One node's connection to an InProcessBus. Its link can be cut and healed on its own
/// (a network partition between this node and the broker), independently of the bus.
/// Deliveries are queued and emitted on a later turn of the event loop, like bytes arriving
/// on a socket, so a node never receives its own publish synchronously.
class InProcessBroker : public Broker
{
    Q_OBJECT
public:
    /// After a kill, the reconnect waits as long as a RedisConnection's first attempt
    /// (RedisConnection::InitialReconnectDelayMs).
    static constexpr int ReconnectAfterKillMs = 100;

    /// The bus must outlive this connection, or be destroyed first (the connection then stays
    /// Disconnected).
    InProcessBroker(InProcessBus *bus, const QString &name, QObject *parent = nullptr);
    ~InProcessBroker() override;

    QString name() const { return m_name; }

    State state() const override { return currentState(); }
    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void publish(const QByteArray &channel, const QByteArray &message, PublishReply reply = {}) override;
    void publishToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    void readHistory(const QByteArray &channel, const HistoryQuery &query, HistoryReadReply reply) override;
    void changePresence(const PresenceChange &change, qint64 ttlMs, PresenceChangeReply reply = {}) override;
    void readPresence(const QByteArray &set, qint64 nowMs, PresenceReadReply reply) override;

    bool isLinkUp() const override { return m_linkUp; }
    void setLinkUp(bool up) override;

private:
    friend class InProcessBus;
    void sendPublish(const QByteArray &channel, const QByteArray &message, PublishReply reply) override;
    void sendToHistory(const QByteArray &channel, const QByteArray &envelope, HistoryAppend append) override;
    void onServerUp();
    void onServerLost();
    void onKilled();
    void onBusDestroyed();
    void enqueueDelivery(const QByteArray &channel, const QByteArray &message);

    /// The first connect waits for the event loop, so the owner can connect to stateChanged;
    /// a reconnect (link healed, server back) completes at once, like a reconnect that takes
    /// no time.
    void connectSoon();
    void reconnect();
    void finishConnect();
    void dropConnection();
    void flushDeliveries();

    InProcessBus *m_bus;
    QString m_name;
    bool m_linkUp = true;
    bool m_flushScheduled = false;
    quint64 m_kills = 0;
    std::vector<std::pair<QByteArray, QByteArray>> m_inbox;
};

}
