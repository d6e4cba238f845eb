#pragma once

#include "inspectionsnapshot.h"
#include "redis/redisurl.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

namespace fanout {

class RedisConnection;
class SentinelResolver;

/// Counts the messages published to each channel under a prefix, for the inspector's optional
/// message rates: PSUBSCRIBE <prefix>* on a connection of its own (ClientNames::inspectorSniffer()).
/// Every pattern subscription costs Redis CPU on every PUBLISH, across all channels, which is why
/// the inspector sniffs only when asked to.
class RateSniffer : public QObject
{
    Q_OBJECT
public:
    /// resolver: as for RedisConnection, for a sentinel URL (nullptr: none or its own).
    RateSniffer(const RedisUrl &url, SentinelResolver *resolver, const QString &prefix, QObject *parent = nullptr);

    /// Sets each channel's messages per second over the time since the last call (since the
    /// subscription, the first time) and counts afresh; nothing before the subscription.
    void measure(std::vector<ChannelInfo> &channels);

private:
    RedisConnection *m_connection;
    QHash<QString, quint64> m_counts;
    QElapsedTimer m_clock;
};

}
