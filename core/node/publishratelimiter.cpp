#include "publishratelimiter.h"

#include <algorithm>

namespace fanout {

void PublishRateLimiter::setRate(int perSecond)
{
    m_rate = std::max(0, perSecond);
    m_buckets.clear();
}

double PublishRateLimiter::burst() const
{
    return std::max(1.0, m_rate / 4.0);
}

PublishRateLimiter::Verdict PublishRateLimiter::take(Session *session, qint64 nowMs)
{
    if (m_rate <= 0)
        return Verdict::Allowed;
    auto bucket = m_buckets.find(session);
    if (bucket == m_buckets.end())
        bucket = m_buckets.insert(session, Bucket {burst(), nowMs, 0});
    bucket->tokens = std::min(burst(), bucket->tokens + double(nowMs - bucket->lastMs) * m_rate / 1000.0);
    bucket->lastMs = nowMs;
    if (bucket->tokens >= 1.0) {
        bucket->tokens -= 1.0;
        bucket->refusedInARow = 0;
        return Verdict::Allowed;
    }
    // Flooding is said once; what the closing connection still sends is only refused.
    return ++bucket->refusedInARow == std::max(10, m_rate) ? Verdict::Flooding : Verdict::Limited;
}

}
