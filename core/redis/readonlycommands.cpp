#include "readonlycommands.h"

namespace fanout {

bool ReadOnlyCommands::isAllowed(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return false;
    const QByteArray command = args.first().toUpper();
    const QByteArray sub = args.size() > 1 ? args.at(1).toUpper() : QByteArray();
    static const QList<QByteArray> reads {"PING",   "PUBSUB", "ZRANGE", "ZCARD", "HGETALL", "HGET",   "INFO",
                                          "EXISTS", "TTL",    "PTTL",   "TYPE",  "SCAN",    "DBSIZE", "ROLE"};
    if (reads.contains(command))
        return true;
    if (command == "CLIENT")
        return sub == "LIST" || sub == "INFO" || sub == "GETNAME";
    if (command == "CONFIG")
        return sub == "GET";
    // The slot map and a node's view of the cluster: what an inspector of a Cluster reads.
    if (command == "CLUSTER")
        return sub == "SHARDS" || sub == "SLOTS" || sub == "INFO" || sub == "MYID" || sub == "NODES"
            || sub == "KEYSLOT";
    return false;
}

QByteArray ReadOnlyCommands::refusal()
{
    return "ERR refused: read-only mode (allow writes first)";
}

}
