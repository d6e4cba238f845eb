#include "tracebuffer.h"

namespace fanout {

void TraceBuffer::append(MessageTrace trace)
{
    m_traces.push_back(std::move(trace));
    while (qsizetype(m_traces.size()) > m_capacity)
        m_traces.pop_front();
}

std::optional<MessageTrace> TraceBuffer::find(quint64 key) const
{
    for (auto it = m_traces.rbegin(); it != m_traces.rend(); ++it) {
        if (it->key == key)
            return *it;
    }
    return std::nullopt;
}

std::vector<MessageTrace> TraceBuffer::latest(qsizetype count) const
{
    const qsizetype first = std::max<qsizetype>(0, size() - count);
    return {m_traces.begin() + first, m_traces.end()};
}

}
