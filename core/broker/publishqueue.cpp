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
    while (size() >= m_capacity) {
        Entry oldest = std::move(m_entries.front());
        m_entries.pop_front();
        if (oldest.reply)
            oldest.reply(-1);
        ++dropped;
    }
    m_entries.push_back(std::move(entry));
    return dropped;
}

std::deque<PublishQueue::Entry> PublishQueue::takeAll()
{
    return std::exchange(m_entries, {});
}

}
