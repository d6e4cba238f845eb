#pragma once

#include "inspectionsnapshot.h"

#include <vector>

namespace fanout {

class RedisConnection;

/// What each server answered during one refresh, before it becomes the lists of an
/// InspectionSnapshot: the one server, or every master of a Cluster in the order of
/// InspectionSnapshot::cluster->masters. The inspector fills a server's lists from its replies;
/// moveInto() then hands them over, for a Cluster merged (see there).
class ServerReadings
{
public:
    struct Server {
        RedisConnection *connection = nullptr; ///< nullptr: not read in this refresh (not connected)
        std::vector<ChannelInfo> channels;
        std::vector<ChannelInfo> shardChannels;
        std::vector<ClientInfo> clients;
    };

    /// One empty reading per connection, in order.
    void reset(const std::vector<RedisConnection *> &connections);
    size_t size() const { return m_servers.size(); }
    Server &at(size_t index) { return m_servers[index]; }

    /// Moves the readings into snapshot. For a Cluster: the masters' clients one after the other
    /// (each master's ClusterMaster says which are its), classic channels with their counts
    /// added up over the masters (PUBLISH reaches the subscribers of every master), each
    /// master's shard channels under it and all of them in the snapshot's list, every channel
    /// with the master that owns its slot, and per master the connections of each registered
    /// node (so its node records must be in the snapshot already).
    void moveInto(InspectionSnapshot *snapshot);

private:
    static void mergeClassicChannels(std::vector<Server> &servers, InspectionSnapshot *snapshot);
    static void countNodeConnections(const InspectionSnapshot &snapshot, ClusterMaster *master);

    std::vector<Server> m_servers;
};

}
