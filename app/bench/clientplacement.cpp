#include "clientplacement.h"

ClientPlacement::ClientPlacement(int clients, int rooms, int nodes, bool idle)
    : m_rooms(rooms), m_nodes(nodes), m_idle(idle)
{
    m_roomSizes.assign(std::size_t(rooms), 0);
    std::vector<std::vector<bool>> present(std::size_t(rooms), std::vector<bool>(std::size_t(nodes), false));
    for (int client = 0; client < clients; ++client) {
        ++m_roomSizes[std::size_t(room(client))];
        present[std::size_t(room(client))][std::size_t(node(client))] = true;
    }
    m_roomNodes.assign(std::size_t(rooms), 0);
    for (int r = 0; r < rooms; ++r) {
        for (const bool here : present[std::size_t(r)])
            m_roomNodes[std::size_t(r)] += here;
    }
}

int ClientPlacement::node(int client) const
{
    return m_idle ? 0 : (client % m_rooms + client / m_rooms) % m_nodes;
}
