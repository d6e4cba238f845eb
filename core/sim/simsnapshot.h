#pragma once

#include "deliveryledger.h"
#include "messagetrace.h"

#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <vector>

namespace fanout {

/// Where a simulation is; phaseName() is how reports and the window spell it.
enum class SimPhase {
    Setup,
    Running,
    Paused,
    Settling,
    Finished
};
QString phaseName(SimPhase phase);

/// A simulated node as the window and reports show it; nodeStateName() spells it.
enum class SimNodeState {
    Up,
    Down,
    Partitioned,
    LocalOnly ///< up, but its broker is not connected: it delivers to its own clients only
};
QString nodeStateName(SimNodeState state);

/// One node in a snapshot.
struct SimNodeSnapshot {
    int index = 0;
    QString id;
    QUrl url;
    SimNodeState state = SimNodeState::Up;
    int clients = 0; ///< virtual and external
    int externalClients = 0; ///< of those, real WebSocket clients
    int rooms = 0;
    int subscriptions = 0;
    quint64 published = 0;
    quint64 received = 0; ///< envelopes from the broker
    quint64 useful = 0; ///< of those, for a room with local members
    quint64 wasted = 0; ///< of those, for a room without local members
    quint64 delivered = 0;
    quint64 fallbackDelivered = 0;
    quint64 historyDelivered = 0; ///< of `delivered`, read back from a room's history
    quint64 historyLost = 0; ///< ranges the history no longer held
    std::vector<int> slowClients; ///< virtual clients connected here that consume slowly
};

/// One virtual client in a snapshot: where it is and whether it is slow.
struct SimClientSnapshot {
    int index = 0; ///< shown as "v<index>"
    int node = -1; ///< index of its node, -1 while disconnected
    std::vector<int> rooms; ///< room indexes (room-N)
    bool slow = false;
    qsizetype queued = 0; ///< messages waiting in a slow client's queue
    QString user; ///< empty in scenarios without users
};

/// One real WebSocket session of a node in a snapshot (wscat, a browser, a test).
struct SimExternalClientSnapshot {
    QString id; ///< the node's session id, `sim-1/3`
    int node = 0;
    QString user; ///< empty while anonymous
    QStringList rooms;
    qint64 queuedBytes = 0; ///< in its send buffer, not yet taken by the kernel
    bool slow = false; ///< the kernel's buffer is full: it reads slower than it is sent to
};

/// A user's connections in a room on one node, as the fleet's presence set holds them.
struct SimPresenceEntry {
    QString room;
    QString user;
    QString node;
    int connections = 0;
    qint64 expiresInMs = 0; ///< until the latest of them expires unless refreshed
};

/// Everything a UI or a report reads of a running simulation, copied out at one instant.
struct SimSnapshot {
    QString scenario;
    QString broker; ///< "in-process" or the Redis URL
    QString delivery; ///< "pubsub" or "streams" (Scenario::deliveryName)
    SimPhase phase = SimPhase::Setup;
    double simSeconds = 0;
    double wallSeconds = 0;
    bool brokerUp = true;

    DeliveryLedger::Totals totals;
    quint64 busPublishes = 0;
    quint64 busDeliveries = 0; ///< broker-to-node deliveries
    quint64 busBytes = 0; ///< their bytes, the bus egress
    double amplification = 0; ///< busDeliveries / busPublishes
    quint64 wastedNodeDeliveries = 0;
    quint64 socketDeliveries = 0; ///< messages handed to sessions
    quint64 eventDeliveries = 0; ///< user_joined/user_left events handed to typed sessions
    quint64 historyDeliveries = 0; ///< messages read back from a history to fill a gap
    quint64 historyLost = 0; ///< ranges of a history that could not be recovered
    quint64 skippedPublishes = 0; ///< publishes not made because the sender was disconnected
    quint64 refusedPublishes = 0; ///< message frames the protocol answered with an error
    quint64 protocolErrors = 0; ///< error frames the protocol sent virtual clients
    quint64 slowDrops = 0;
    quint64 slowDisconnects = 0;
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;
    double latencyMaxMs = 0;

    std::vector<SimNodeSnapshot> nodes;
    QStringList rooms;
    std::vector<int> roomMembers; ///< rooms x nodes, row-major: local members
    std::vector<bool> roomSubscribed; ///< rooms x nodes: the node's subscription to the room
    /// Presence of the first PresenceWatch::MaxRooms rooms (scenarios with users), by room,
    /// user and node; a killed node's users stay until their entries expire.
    std::vector<SimPresenceEntry> presence;

    /// The first MaxListedClients virtual clients, by index (the studio's client chooser).
    std::vector<SimClientSnapshot> clients;
    static constexpr size_t MaxListedClients = 1000;
    /// The real WebSocket sessions of the nodes that are up, at most MaxListedClients.
    std::vector<SimExternalClientSnapshot> externalSessions;

    static constexpr qsizetype MaxRecentTraces = 200;
    /// The rooms x nodes matrix is filled up to this many cells; past it `rooms` stays empty.
    static constexpr size_t MaxMatrixCells = 200000;
    /// The latest settled messages, newest last.
    std::vector<MessageTrace> recentTraces;

    /// The report fields of docs/simulation.md.
    QJsonObject toReport() const;
};

}
