#pragma once

#include "scenario.h"

#include <QList>

#include <random>
#include <vector>

namespace fanout {

/// The deterministic part of a scenario: which rooms each client is in (drawn from the rooms'
/// popularity), which user it belongs to, and the sequence of publishes: (sender, room), or
/// (sender, user) for a direct message. The same scenario and seed give
/// the same memberships and the same sequence on every run and every broker.
class TrafficGenerator
{
public:
    /// A room message (room set), or a direct message to a user (toUser set).
    struct Publish {
        int sender = -1;
        int room = -1;
        int toUser = -1;
        quint64 sequence = 0; ///< the sender's count of its publishes, this one included (set when made)
    };

    explicit TrafficGenerator(const Scenario &scenario);

    int roomCount() const { return int(m_members.size()); }
    static QString roomName(int room) { return QStringLiteral("room-%1").arg(room); }
    const std::vector<int> &roomsOf(int client) const { return m_clientRooms[size_t(client)]; }
    /// Members of a room, sorted by client index.
    const QList<int> &membersOf(int room) const { return m_members[size_t(room)]; }

    int userCount() const { return int(m_userClients.size()); }
    static QString userName(int user) { return QStringLiteral("user-%1").arg(user); }
    /// The user a client belongs to, -1 for an anonymous client.
    int userOf(int client) const { return m_userClients.empty() ? -1 : client % userCount(); }
    /// A user's clients (its connections), sorted by client index.
    const QList<int> &clientsOf(int user) const { return m_userClients[size_t(user)]; }

    /// How many publishes fall in the next tick of `seconds` at `rate` per second; the
    /// fractions carry over so the long-run rate is exact.
    int publishesForTick(double rate, double seconds);
    Publish next();
    /// The content of a simulated publish, a JSON string that says who sent it: "v12 #3 xxx..."
    /// for the third message of client 12, padded with x to `bytes` (quotes included; longer
    /// when `bytes` cannot hold the label), so a real client or a trace can tell them apart.
    static QByteArray payload(int sender, quint64 sequence, int bytes);

private:
    double uniform();
    int drawRoom();

    std::mt19937_64 m_random;
    std::vector<double> m_cumulativeWeights;
    std::vector<std::vector<int>> m_clientRooms;
    std::vector<QList<int>> m_members;
    std::vector<QList<int>> m_userClients;
    double m_directShare = 0;
    int m_senders = 0;
    double m_carry = 0;
};

}
