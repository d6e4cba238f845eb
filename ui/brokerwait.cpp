#include "brokerwait.h"

#include "redis/clientnames.h"
#include "redis/redisconnection.h"
#include "redis/redisurl.h"

#include <utility>

BrokerWait::BrokerWait(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        delete m_probe;
        // Handed over, not referred to: a receiver that stops the wait clears m_reason.
        emit timedOut(std::exchange(m_reason, QString()));
    });
}

void BrokerWait::start(const QString &redisUrl, int timeoutMs)
{
    stop();
    const std::optional<fanout::RedisUrl> url = fanout::RedisUrl::parse(redisUrl, nullptr);
    if (!url)
        return;
    m_probe = new fanout::RedisConnection(*url, fanout::ClientNames::studioProbe(),
                                          fanout::RedisConnection::Mode::Command, this);
    connect(m_probe, &fanout::RedisConnection::errorOccurred, this, [this](const QString &message) {
        m_reason = message;
        emit reasonChanged(message);
    });
    connect(m_probe, &fanout::RedisConnection::ready, this, [this] {
        if (!m_reason.isEmpty()) {
            m_reason.clear();
            emit reasonChanged(m_reason);
        }
    });
    m_probe->open();
    m_timer.start(timeoutMs);
}

void BrokerWait::stop()
{
    m_timer.stop();
    delete m_probe;
    m_reason.clear();
}
