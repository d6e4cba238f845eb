#pragma once

#include "messagetrace.h"

#include <deque>
#include <optional>

namespace fanout {

/// The last `capacity` finished message traces, oldest dropped first.
class TraceBuffer
{
public:
    static constexpr qsizetype DefaultCapacity = 4096;

    explicit TraceBuffer(qsizetype capacity = DefaultCapacity) : m_capacity(capacity) { }

    void append(MessageTrace trace);
    std::optional<MessageTrace> find(quint64 key) const;
    /// The newest `count` traces, newest last.
    std::vector<MessageTrace> latest(qsizetype count) const;
    qsizetype size() const { return qsizetype(m_traces.size()); }
    void clear() { m_traces.clear(); }

private:
    std::deque<MessageTrace> m_traces;
    qsizetype m_capacity;
};

}
