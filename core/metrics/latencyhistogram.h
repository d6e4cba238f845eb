#pragma once

#include <QtGlobal>

#include <array>

namespace fanout {

/// A log-linear histogram of durations from 1 µs to ~1 hour with at most 1/16 (6 %) relative
/// error: 16 linear sub-buckets per power of two. Recording is a few instructions, so every
/// delivery can be recorded.
class LatencyHistogram
{
public:
    void record(qint64 nanoseconds);
    void merge(const LatencyHistogram &other);
    /// What was recorded after `earlier`, a copy of this histogram taken before (its max stays
    /// the whole history's).
    LatencyHistogram since(const LatencyHistogram &earlier) const;
    void clear() { *this = LatencyHistogram(); }

    quint64 count() const { return m_count; }
    qint64 maxNs() const { return m_maxNs; }
    /// The sum of every recorded value, in nanoseconds.
    qint64 sumNs() const { return m_sumNs; }
    /// Values recorded at most `nanoseconds` (to the bucket: buckets whose upper edge is at most
    /// that), for cumulative buckets such as Prometheus's.
    quint64 countAtMost(qint64 nanoseconds) const;
    /// The value at quantile q (0..1), as the upper edge of its bucket, in nanoseconds.
    qint64 quantileNs(double q) const;

private:
    static constexpr int SubBuckets = 16;
    static constexpr int Powers = 42; // 2^42 µs is far beyond any latency we see
    static int bucketOf(qint64 microseconds);
    static qint64 upperEdgeUs(int bucket);

    std::array<quint64, SubBuckets * Powers> m_buckets {};
    quint64 m_count = 0;
    qint64 m_maxNs = 0;
    qint64 m_sumNs = 0;
};

}
