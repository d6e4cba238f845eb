#pragma once

#include <QString>

namespace fanout {

/// The names our connections give themselves with CLIENT SETNAME, so that CLIENT LIST, the
/// inspector and an operator tell them apart. Every format lives here.
class ClientNames
{
public:
    /// A node's publish connection (commands), `fanout:<node>:pub`.
    static QString nodePublish(const QString &nodeId);
    /// A node's subscribe connection, `fanout:<node>:sub`.
    static QString nodeSubscribe(const QString &nodeId);
    /// A node's connections to the sentinels of a redis+sentinel:// URL, `fanout:<node>:sentinel`.
    static QString nodeSentinel(const QString &nodeId);
    /// The connections to the sentinels made for the connection named owner, `<owner>:sentinel`.
    static QString sentinel(const QString &owner);
    /// Whether a CLIENT LIST name is one of a node's two connections.
    static bool isNode(const QString &clientName);
    /// The studio's console when its simulation runs on a real Redis.
    static QString studioConsole();
    /// The studio's own connection that finds out why its fleet cannot reach a Redis.
    static QString studioProbe();
    /// The inspector's command connection.
    static QString inspector();
    /// The inspector's PSUBSCRIBE connection that samples message rates.
    static QString inspectorSniffer();
};

}
