#pragma once

#include <QtGlobal>

namespace fanout {

/// Counters of one node's fan-out work.
struct NodeStats {
    quint64 published = 0; ///< envelopes this node handed to its broker
    quint64 brokerMessages = 0; ///< envelopes received from the broker
    quint64 wastedMessages = 0; ///< of those, ones for a room with no local member
    quint64 malformedMessages = 0; ///< of those, ones that were not a valid envelope
    quint64 deliveries = 0; ///< frames written to local sessions, fallback included
    quint64 eventDeliveries = 0; ///< of those, join/leave events to typed sessions
    quint64 fallbackDeliveries = 0; ///< frames delivered locally while the broker was down
    quint64 historyDeliveries = 0; ///< of those, frames read back from a room's history to fill a gap
    quint64 historyLost = 0; ///< ranges of a room's history that could not be recovered

    NodeStats &operator+=(const NodeStats &other)
    {
        published += other.published;
        brokerMessages += other.brokerMessages;
        wastedMessages += other.wastedMessages;
        malformedMessages += other.malformedMessages;
        deliveries += other.deliveries;
        eventDeliveries += other.eventDeliveries;
        fallbackDeliveries += other.fallbackDeliveries;
        historyDeliveries += other.historyDeliveries;
        historyLost += other.historyLost;
        return *this;
    }
    NodeStats &operator-=(const NodeStats &other)
    {
        published -= other.published;
        brokerMessages -= other.brokerMessages;
        wastedMessages -= other.wastedMessages;
        malformedMessages -= other.malformedMessages;
        deliveries -= other.deliveries;
        eventDeliveries -= other.eventDeliveries;
        fallbackDeliveries -= other.fallbackDeliveries;
        historyDeliveries -= other.historyDeliveries;
        historyLost -= other.historyLost;
        return *this;
    }
};

}
