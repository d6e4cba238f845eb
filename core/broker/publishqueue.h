#pragma once

#include "history.h"

#include <QByteArray>

#include <deque>
#include <functional>
#include <optional>

namespace fanout {

/// Receives the server's reply to PUBLISH: the number of subscribed connections, or -1 when
/// the message was dropped or the connection failed before the reply.
using PublishReply = std::function<void(qint64 receivers)>;

/// The bounded offline queue a broker keeps while its publish connection is down.
/// When full (entries, or MaxBytes of messages), the oldest entries are dropped: their replies
/// run with -1 and they are counted.
class PublishQueue
{
public:
    struct Entry {
        QByteArray channel;
        QByteArray message;
        PublishReply reply;
        std::optional<HistoryAppend> history; ///< a publish into the room's history

        /// Tells the publisher the entry was dropped.
        void fail();
    };

    static constexpr qsizetype DefaultCapacity = 10000;
    static constexpr qsizetype MaxBytes = 64 * 1024 * 1024;

    explicit PublishQueue(qsizetype capacity = DefaultCapacity) : m_capacity(capacity) { }

    /// Returns the number of entries dropped to make room (0 or 1).
    int push(Entry entry);
    /// Removes and returns every entry in publish order.
    std::deque<Entry> takeAll();

    qsizetype size() const { return qsizetype(m_entries.size()); }
    qsizetype capacity() const { return m_capacity; }
    void setCapacity(qsizetype capacity) { m_capacity = capacity; }

private:
    std::deque<Entry> m_entries;
    qsizetype m_capacity;
    qsizetype m_bytes = 0;
};

}
