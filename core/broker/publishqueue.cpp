#include "publishqueue.h"

namespace fanout {

int PublishQueue::push(Entry entry)
{
    int dropped = 0;
    if (m_capacity <= 0) {
        if (entry.reply)
            entry.reply(-1);
        return 1;
    }
    while (!m_entries.empty() && (size() >= m_capacity || m_bytes + entry.message.size() > MaxBytes)) {
        Entry oldest = std::move(m_entries.front());
        m_entries.pop_front();
        m_bytes -= oldest.message.size();
        if (oldest.reply)
            oldest.reply(-1);
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
