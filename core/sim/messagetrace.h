#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace fanout {

/// The path of one simulated message: publish -> channel -> nodes -> sessions, with the time of
/// each hop in nanoseconds since the simulation started.
struct MessageTrace {
    struct NodeHop {
        int node = -1;
        QString nodeId; ///< the incarnation that delivered it, as the tables name it ("sim-1")
        qint64 atNs = 0;
        quint64 sessions = 0; ///< local members the node handed it to
    };
    struct SessionHop {
        int client = -1;
        qint64 atNs = 0;
    };

    quint64 key = 0; ///< unique in one simulation
    QString origin; ///< the publishing node's id
    quint64 id = 0; ///< the envelope id on that node
    QByteArray channel;
    int sender = -1; ///< virtual client index
    quint64 sequence = 0; ///< the sender's count of its publishes, as its payload says ("v12 #3")
    qint64 publishedNs = 0;
    double publishedAt = 0; ///< simulated seconds
    quint64 expected = 0;
    quint64 delivered = 0;
    quint64 lost = 0;
    std::vector<NodeHop> nodes;
    std::vector<SessionHop> sessions;
};

}
