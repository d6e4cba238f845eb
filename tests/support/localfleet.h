#pragma once

#include "node/node.h"
#include "transport/nodeserver.h"

#include <QUrl>

#include <memory>
#include <vector>

class BusFixture;

/// Nodes inside the test process, each with its own broker connection on the row's bus and a
/// real WebSocket listener on a loopback port.
class LocalFleet
{
public:
    LocalFleet(BusFixture &bus, int count, int shards = 1);
    ~LocalFleet();

    bool isListening() const { return m_listening; }
    /// Waits until every node's broker is Connected; false after the timeout.
    bool waitConnected(int timeoutMs = 5000);
    fanout::Node *node(int i) const { return m_nodes.at(size_t(i)).get(); }
    /// Node i's room-mode URL for `room` (`/?room=`).
    QUrl roomUrl(int i, const QString &room) const;
    /// Node i's typed-mode URL (`/rooms`).
    QUrl typedUrl(int i) const;

private:
    std::vector<std::unique_ptr<fanout::Node>> m_nodes;
    std::vector<std::unique_ptr<fanout::NodeServer>> m_servers;
    bool m_listening = true;
};
