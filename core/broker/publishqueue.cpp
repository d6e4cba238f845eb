#include "publishqueue.h"

namespace fanout {

void PublishQueue::Entry::fail()
{
    if (reply)
        reply(-1);
    if (history && history->reply)
        history->reply(std::nullopt);
}

int PublishQueue::push(Entry entry)
{
    int dropped = 0;
    if (m_capacity <= 0) {
        entry.fail();
        return 1;
    }
    while (!m_entries.empty() && (size() >= m_capacity || m_bytes + entry.message.size() > MaxBytes)) {
        Entry oldest = std::move(m_entries.front());
        m_entries.pop_front();
        m_bytes -= oldest.message.size();
        oldest.fail();
        ++dropped;
    }
    m_bytes += entry.message.size();
    m_entries.push_back(std::move(entry));
    return dropped;
}

std::deque<PublishQueue::Entry> PublishQueue::takeAll()
{
    m_bytes = 0;
    return std::exchange(m_entries, {});
}

}
