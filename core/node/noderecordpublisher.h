#pragma once

#include <QObject>
#include <QTimer>

namespace fanout {

class Node;
class RedisBackedBroker;

/// Keeps this node's NodeRecord in Redis: every NodeRecord::RefreshMs, and shortly after its set
/// of rooms changes, on the broker's publish connection (no extra connection). withdraw()
/// removes it when the node stops cleanly, so only crashed nodes show as vanished.
class NodeRecordPublisher : public QObject
{
    Q_OBJECT
public:
    NodeRecordPublisher(Node *node, RedisBackedBroker *broker, const QString &address, const QString &version,
                        QObject *parent = nullptr);

    void withdraw();

private:
    void publish();

    Node *m_node;
    RedisBackedBroker *m_broker;
    QString m_address;
    QString m_version;
    qint64 m_startedMs;
    QTimer m_refresh;
    QTimer m_debounce;
    bool m_withdrawn = false;
};

}
