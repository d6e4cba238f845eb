#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace fanout {

class RedisBackedBroker;

/// Keeps this node's NodeRecord in Redis: every NodeRecord::RefreshMs, and shortly after its set
/// of rooms changes, on the broker's publish connection (no extra connection). withdraw()
/// removes it when the node stops cleanly, so only crashed nodes show as vanished.
class NodeRecordPublisher : public QObject
{
    Q_OBJECT
public:
    /// What the record says of the node's clients, read when it is written.
    struct Clients {
        QStringList rooms;
        qsizetype sessions = 0;
    };
    struct Identity {
        QString nodeId;
        QString channelPrefix;
        QString address;
        QString version;
    };

    NodeRecordPublisher(const Identity &identity, RedisBackedBroker *broker, std::function<Clients()> clients,
                        QObject *parent = nullptr);

    /// The set of rooms changed: the record is written shortly.
    void roomsChanged();
    void withdraw();

private:
    void publish();

    Identity m_identity;
    RedisBackedBroker *m_broker;
    std::function<Clients()> m_clients;
    qint64 m_startedMs;
    QTimer m_refresh;
    QTimer m_debounce;
    bool m_withdrawn = false;
};

}
