#pragma once

#include "presence.h"

#include <QHash>

#include <map>

namespace fanout {

/// The presence sets of an InProcessBus, in memory, with the semantics of the Redis scripts
/// (PresenceChange): one step per change, events for subjects whose count reaches 1 or 0.
class InProcessPresence
{
public:
    /// An event to publish: channel and message.
    using Event = std::pair<QByteArray, QByteArray>;

    /// Carries out the change; the events to publish, and the entries the set still holds.
    std::vector<Event> apply(const PresenceChange &change, qint64 *remaining = nullptr);
    PresenceRead read(const QByteArray &set, qint64 nowMs) const;

private:
    struct Set {
        QHash<QString, PresenceEntry> entries; ///< by connection
        QHash<QString, int> counts; ///< by subject
    };
    void join(Set &set, const PresenceChange &change, std::vector<Event> *events);
    void remove(Set &set, const QString &connection, const PresenceChange &change, std::vector<Event> *events);

    QHash<QByteArray, Set> m_sets;
};

}
