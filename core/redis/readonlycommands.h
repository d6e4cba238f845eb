#pragma once

#include <QByteArray>
#include <QList>

namespace fanout {

/// The commands a read-only client may send to a production Redis: reads of pub/sub state,
/// clients, server info, a Cluster's slot map and the fleet's node records, nothing that writes or blocks. The
/// inspector and the studio's console both guard with it; docs/inspector.md lists them.
class ReadOnlyCommands
{
public:
    static bool isAllowed(const QList<QByteArray> &args);
    static QByteArray refusal();
};

}
