#pragma once

#include <QHash>

namespace fanout {

class Session;

/// `--max-publish-rate`: a token bucket per session. A session may publish `rate` messages per
/// second with a burst of a quarter of that (at least one); past it a publish is refused. A
/// session whose refused publishes run to a second's worth (at least 10) with none allowed in
/// between is flooding, and its connection is closed (docs/protocol.md, "Limits").
class PublishRateLimiter
{
public:
    enum class Verdict {
        Allowed,
        Limited,
        Flooding
    };

    /// Messages per second; 0 turns the limit off.
    void setRate(int perSecond);
    int rate() const { return m_rate; }
    bool isOn() const { return m_rate > 0; }

    Verdict take(Session *session, qint64 nowMs);
    void forget(Session *session) { m_buckets.remove(session); }

private:
    struct Bucket {
        double tokens = 0;
        qint64 lastMs = 0;
        int refusedInARow = 0;
    };

    double burst() const;

    int m_rate = 0;
    QHash<Session *, Bucket> m_buckets;
};

}
