#pragma once

#include "history.h"

#include <QHash>

#include <deque>

namespace fanout {

/// The rooms' histories of an InProcessBus, in memory, with Redis's semantics (docs/protocol.md):
/// offsets from 1 per room, one epoch for the bus's lifetime, at most `size` entries kept, a
/// publish sent again with the same (origin, id) stored once. Expiry (the TTL) is not modelled:
/// a simulation is shorter than any sensible TTL.
class InProcessHistory
{
public:
    InProcessHistory();

    struct Appended {
        StreamPosition position;
        QByteArray message; ///< the envelope with its offset and epoch
        bool duplicate = false; ///< already stored: nothing was published
    };
    Appended append(const QByteArray &channel, const QByteArray &envelope, const HistoryAppend &append);
    HistoryRead read(const QByteArray &channel, const HistoryQuery &query) const;

private:
    struct Entry {
        HistoryEntry entry;
        QString origin;
        quint64 id = 0;
    };
    struct Room {
        std::deque<Entry> entries;
        quint64 top = 0;
        QHash<QString, std::pair<quint64, quint64>> lastByOrigin; ///< origin -> (id, offset)
    };
    static quint64 offsetOf(const Room &room, const QString &origin, quint64 id);

    QHash<QByteArray, Room> m_rooms;
    QString m_epoch;
};

}
