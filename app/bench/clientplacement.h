#pragma once

#include <cstddef>
#include <vector>

/// Where fanout-bench's load clients go. Client i is in room i % R and on node
/// (i % R + i / R) % N: the k-th member of room r (client r + kR) sits on node (r + k) % N, so
/// consecutive members of a room sit on consecutive nodes and every room of at least N members
/// has members on every node (a smaller room on as many nodes as it has members). Placing by
/// i % N alone kept every room on one node whenever N divides R (3 nodes, 30 rooms), so a
/// publish never crossed nodes; (i / R) % N would spread rooms too but put the first R clients
/// (the senders, by default) all on node 0. The room term spreads them over the nodes as well.
/// In idle mode every client is on node 0, as that mode measures one node's memory.
class ClientPlacement
{
public:
    ClientPlacement(int clients, int rooms, int nodes, bool idle);

    int room(int client) const { return client % m_rooms; }
    int node(int client) const;
    int roomSize(int room) const { return m_roomSizes[std::size_t(room)]; }
    /// Distinct nodes holding members of room: the nodes a publish to it reaches.
    int nodesOfRoom(int room) const { return m_roomNodes[std::size_t(room)]; }

private:
    int m_rooms;
    int m_nodes;
    bool m_idle;
    std::vector<int> m_roomSizes;
    std::vector<int> m_roomNodes;
};
