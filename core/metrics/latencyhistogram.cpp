#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace fanout {

int LatencyHistogram::bucketOf(qint64 microseconds)
{
    if (microseconds < SubBuckets)
        return int(std::max<qint64>(microseconds, 0));
    const int power = std::bit_width(quint64(microseconds)) - 5; // keeps the top 5 bits
    const int sub = int(microseconds >> power) - SubBuckets; // 0..15
    const int bucket = (power + 1) * SubBuckets + sub;
    return std::min(bucket, SubBuckets * Powers - 1);
}

qint64 LatencyHistogram::upperEdgeUs(int bucket)
{
    if (bucket < SubBuckets)
        return bucket + 1;
    const int power = bucket / SubBuckets - 1;
    const int sub = bucket % SubBuckets;
    return (qint64(SubBuckets + sub + 1) << power);
}

void LatencyHistogram::record(qint64 nanoseconds)
{
    ++m_buckets[size_t(bucketOf(nanoseconds / 1000))];
    ++m_count;
    m_maxNs = std::max(m_maxNs, nanoseconds);
    m_sumNs += nanoseconds;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_maxNs = std::max(m_maxNs, other.m_maxNs);
    m_sumNs += other.m_sumNs;
}

LatencyHistogram LatencyHistogram::since(const LatencyHistogram &earlier) const
{
    LatencyHistogram recent = *this;
    for (size_t i = 0; i < m_buckets.size(); ++i)
        recent.m_buckets[i] -= std::min(recent.m_buckets[i], earlier.m_buckets[i]);
    recent.m_count -= std::min(m_count, earlier.m_count);
    recent.m_sumNs -= std::min(m_sumNs, earlier.m_sumNs);
    return recent;
}

quint64 LatencyHistogram::countAtMost(qint64 nanoseconds) const
{
    quint64 count = 0;
    for (size_t i = 0; i < m_buckets.size() && upperEdgeUs(int(i)) * 1000 <= nanoseconds; ++i)
        count += m_buckets[i];
    return count;
}

qint64 LatencyHistogram::quantileNs(double q) const
{
    if (m_count == 0)
        return 0;
    const auto rank = std::max<quint64>(1, quint64(std::llround(q * double(m_count))));
    quint64 seen = 0;
    for (size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen >= rank)
            return std::min(upperEdgeUs(int(i)) * 1000, m_maxNs);
    }
    return m_maxNs;
}

}
