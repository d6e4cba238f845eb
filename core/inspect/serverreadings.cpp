#include "serverreadings.h"

#include "redis/clientnames.h"

#include <QHash>

#include <algorithm>

namespace fanout {

namespace {

void sortByName(std::vector<ChannelInfo> &channels)
{
    std::sort(channels.begin(), channels.end(),
              [](const ChannelInfo &a, const ChannelInfo &b) { return a.channel < b.channel; });
}

}

void ServerReadings::reset(const std::vector<RedisConnection *> &connections)
{
    m_servers.clear();
    m_servers.resize(connections.size());
    for (size_t i = 0; i < connections.size(); ++i)
        m_servers[i].connection = connections[i];
}

void ServerReadings::moveInto(InspectionSnapshot *snapshot)
{
    if (!snapshot->cluster) {
        if (m_servers.empty())
            return;
        Server &server = m_servers.front();
        snapshot->channels = std::move(server.channels);
        snapshot->shardChannels = std::move(server.shardChannels);
        snapshot->clients = std::move(server.clients);
        sortByName(snapshot->channels);
        return;
    }
    ClusterInfo &cluster = *snapshot->cluster;
    mergeClassicChannels(m_servers, snapshot);
    for (size_t i = 0; i < m_servers.size() && i < cluster.masters.size(); ++i) {
        Server &server = m_servers[i];
        ClusterMaster &master = cluster.masters[i];
        master.firstClient = int(snapshot->clients.size());
        master.clientCount = int(server.clients.size());
        snapshot->clients.insert(snapshot->clients.end(), server.clients.cbegin(), server.clients.cend());
        for (ChannelInfo &channel : server.shardChannels)
            channel.owner = cluster.ownerOf(channel.channel);
        sortByName(server.shardChannels);
        snapshot->shardChannels.insert(snapshot->shardChannels.end(), server.shardChannels.cbegin(),
                                       server.shardChannels.cend());
        master.shardChannels = std::move(server.shardChannels);
        countNodeConnections(*snapshot, &master);
    }
    sortByName(snapshot->shardChannels);
    m_servers.clear();
}

void ServerReadings::mergeClassicChannels(std::vector<Server> &servers, InspectionSnapshot *snapshot)
{
    QHash<QString, size_t> byName;
    for (Server &server : servers) {
        for (ChannelInfo &channel : server.channels) {
            const auto found = byName.constFind(channel.channel);
            if (found != byName.cend()) {
                snapshot->channels[*found].subscribers += channel.subscribers;
                continue;
            }
            byName.insert(channel.channel, snapshot->channels.size());
            channel.owner = snapshot->cluster->ownerOf(channel.channel);
            snapshot->channels.push_back(std::move(channel));
        }
    }
    sortByName(snapshot->channels);
}

void ServerReadings::countNodeConnections(const InspectionSnapshot &snapshot, ClusterMaster *master)
{
    struct Named {
        int connections = 0;
        qint64 shardSubscriptions = 0;
    };
    QHash<QString, Named> byName;
    for (int c = master->firstClient; c < master->firstClient + master->clientCount; ++c) {
        const ClientInfo &client = snapshot.clients[size_t(c)];
        Named &named = byName[client.name];
        ++named.connections;
        named.shardSubscriptions += client.shardSubscriptions;
    }
    for (const FleetNode &node : snapshot.nodes) {
        const Named publish = byName.value(ClientNames::nodePublish(node.record.id));
        const Named subscribe = byName.value(ClientNames::nodeSubscribe(node.record.id));
        if (publish.connections + subscribe.connections > 0) {
            master->nodes.push_back(
                {node.record.id, publish.connections, subscribe.connections, subscribe.shardSubscriptions});
        }
    }
}

}
