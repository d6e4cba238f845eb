#include "trafficgenerator.h"

#include <algorithm>
#include <cmath>

namespace fanout {

TrafficGenerator::TrafficGenerator(const Scenario &scenario) : m_random(scenario.seed)
{
    const int rooms = scenario.rooms;
    std::vector<double> weights(size_t(rooms), 1.0);
    if (scenario.popularity == Scenario::Popularity::Zipf) {
        for (int r = 0; r < rooms; ++r)
            weights[size_t(r)] = 1.0 / std::pow(double(r + 1), scenario.zipfExponent);
    } else if (scenario.popularity == Scenario::Popularity::HotRoom && rooms > 1) {
        weights[0] = scenario.hotShare;
        for (int r = 1; r < rooms; ++r)
            weights[size_t(r)] = (1.0 - scenario.hotShare) / double(rooms - 1);
    }
    double total = 0;
    for (const double weight : weights) {
        total += weight;
        m_cumulativeWeights.push_back(total);
    }
    for (double &cumulative : m_cumulativeWeights)
        cumulative /= total;

    m_members.resize(size_t(rooms));
    m_clientRooms.resize(size_t(scenario.clients));
    for (int client = 0; client < scenario.clients; ++client) {
        std::vector<int> &mine = m_clientRooms[size_t(client)];
        if (scenario.roomsPerClient >= rooms) {
            for (int r = 0; r < rooms; ++r)
                mine.push_back(r);
        } else {
            // Popular rooms would make rejection slow near saturation; after a few misses fall
            // back to the least-numbered free room, which keeps the draw deterministic.
            while (int(mine.size()) < scenario.roomsPerClient) {
                int room = drawRoom();
                for (int attempt = 0; std::find(mine.begin(), mine.end(), room) != mine.end(); ++attempt) {
                    room = attempt < 16 ? drawRoom() : (room + 1) % rooms;
                }
                mine.push_back(room);
            }
            std::sort(mine.begin(), mine.end());
        }
        for (const int room : mine)
            m_members[size_t(room)].append(client);
    }
    m_senders = scenario.senders > 0 ? scenario.senders : scenario.clients;
    m_userClients.resize(size_t(scenario.users));
    for (int client = 0; scenario.users > 0 && client < scenario.clients; ++client)
        m_userClients[size_t(client % scenario.users)].append(client);
    m_directShare = scenario.users > 0 ? scenario.directShare : 0;
}

double TrafficGenerator::uniform()
{
    return double(m_random() >> 11) * 0x1.0p-53;
}

int TrafficGenerator::drawRoom()
{
    const double u = uniform();
    const auto it = std::upper_bound(m_cumulativeWeights.begin(), m_cumulativeWeights.end(), u);
    return int(
        std::min<std::ptrdiff_t>(it - m_cumulativeWeights.begin(), std::ptrdiff_t(m_cumulativeWeights.size()) - 1));
}

int TrafficGenerator::publishesForTick(double rate, double seconds)
{
    m_carry += rate * seconds;
    const double whole = std::floor(m_carry + 1e-9);
    m_carry -= whole;
    return int(whole);
}

QByteArray TrafficGenerator::payload(int sender, quint64 sequence, int bytes)
{
    QByteArray text = "\"v" + QByteArray::number(sender) + " #" + QByteArray::number(sequence);
    if (text.size() + 1 < bytes) {
        text.append(' ');
        text.append(bytes - 1 - text.size(), 'x');
    }
    return text + '"';
}

TrafficGenerator::Publish TrafficGenerator::next()
{
    if (m_senders == 0)
        return {};
    Publish publish;
    publish.sender = int(uniform() * m_senders);
    // Drawn only when there are direct messages, so that room traffic stays the same sequence.
    if (m_directShare > 0 && uniform() < m_directShare) {
        publish.toUser = int(uniform() * userCount());
        return publish;
    }
    const auto &rooms = m_clientRooms[size_t(publish.sender)];
    publish.room = rooms[size_t(uniform() * double(rooms.size()))];
    return publish;
}

}
