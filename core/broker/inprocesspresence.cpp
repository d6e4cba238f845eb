#include "inprocesspresence.h"

namespace fanout {

std::vector<InProcessPresence::Event> InProcessPresence::apply(const PresenceChange &change, qint64 *remaining)
{
    std::vector<Event> events;
    Set &set = m_sets[change.set];
    if (change.kind == PresenceChange::Kind::Leave) {
        for (const PresenceEntry &entry : change.entries)
            remove(set, entry.connection, change, &events);
    } else {
        join(set, change, &events);
    }
    if (change.kind == PresenceChange::Kind::Refresh) {
        QStringList expired;
        for (const PresenceEntry &entry : std::as_const(set.entries)) {
            if (entry.expiresAtMs <= change.nowMs)
                expired.append(entry.connection);
        }
        expired.sort(); // Redis sweeps by expiry; any fixed order will do here
        for (const QString &connection : std::as_const(expired))
            remove(set, connection, change, &events);
    }
    if (remaining)
        *remaining = set.entries.size();
    if (set.entries.isEmpty())
        m_sets.remove(change.set);
    return events;
}

void InProcessPresence::join(Set &set, const PresenceChange &change, std::vector<Event> *events)
{
    for (PresenceEntry entry : change.entries) {
        entry.expiresAtMs = change.expiresAtMs;
        const auto existing = set.entries.find(entry.connection);
        if (existing != set.entries.end()) {
            existing->expiresAtMs = change.expiresAtMs;
            continue;
        }
        if (++set.counts[entry.subject] == 1)
            events->emplace_back(change.eventChannel, change.render(change.joinedFormat, entry));
        set.entries.insert(entry.connection, entry);
    }
}

void InProcessPresence::remove(Set &set, const QString &connection, const PresenceChange &change,
                               std::vector<Event> *events)
{
    if (!set.entries.contains(connection))
        return;
    const PresenceEntry entry = set.entries.take(connection);
    if (--set.counts[entry.subject] > 0)
        return;
    set.counts.remove(entry.subject);
    events->emplace_back(change.eventChannel, change.render(change.leftFormat, entry));
}

PresenceRead InProcessPresence::read(const QByteArray &set, qint64 nowMs) const
{
    PresenceRead read {true, {}};
    const auto found = m_sets.constFind(set);
    if (found == m_sets.cend())
        return read;
    for (const PresenceEntry &entry : found->entries) {
        if (entry.expiresAtMs > nowMs)
            read.entries.push_back(entry);
    }
    return read;
}

}
