#include "ratesniffer.h"

#include "redis/clientnames.h"
#include "redis/redisconnection.h"

#include <algorithm>

namespace fanout {

RateSniffer::RateSniffer(const RedisUrl &url, SentinelResolver *resolver, const QString &prefix, QObject *parent)
    : QObject(parent), m_connection(new RedisConnection(url, resolver, ClientNames::inspectorSniffer(),
                                                        RedisConnection::Mode::Subscriber, this))
{
    connect(m_connection, &RedisConnection::ready, this, [this, pattern = prefix.toUtf8() + '*'] {
        m_connection->send({"PSUBSCRIBE", pattern});
        m_counts.clear();
        m_clock.start();
    });
    connect(m_connection, &RedisConnection::pushReceived, this, [this](const RedisReply &reply) {
        if (reply.elements.size() == 4 && reply.elements.at(0).string == "pmessage")
            ++m_counts[QString::fromUtf8(reply.elements.at(2).string)];
    });
    m_connection->open();
}

void RateSniffer::measure(std::vector<ChannelInfo> &channels)
{
    if (!m_clock.isValid())
        return;
    const double seconds = std::max(0.001, m_clock.restart() / 1000.0);
    for (ChannelInfo &channel : channels)
        channel.messagesPerSecond = double(m_counts.value(channel.channel)) / seconds;
    m_counts.clear();
}

}
