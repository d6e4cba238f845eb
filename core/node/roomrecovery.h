#pragma once

#include "broker/history.h"
#include "delivery.h"
#include "envelope/envelope.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>

namespace fanout {

class Broker;

/// Keeps a node's delivery of rooms with history gap-free and in order (docs/protocol.md,
/// "History"). For each room the node holds it knows the epoch and the last offset delivered.
/// A message that skips offsets, a reconnect of the broker, or an idle room whose history moved
/// on makes it read the missing range and deliver it before newer messages, which wait
/// meanwhile; each offset is delivered once. A range the history no longer holds (trimmed,
/// expired, a new epoch) is reported with historyLost() and skipped.
class RoomRecovery : public QObject
{
    Q_OBJECT
public:
    using Deliver = std::function<void(const QString &room, const Envelope &envelope, Delivery::Source source)>;
    using ChannelOf = std::function<QByteArray(const QString &room)>;

    static constexpr qsizetype ReadBatch = 1000;
    static constexpr int IdleCheckMs = 5000;
    static constexpr int RetryMs = 200;
    /// A subscription takes effect a moment after it is sent, on another connection than the
    /// reads: messages published in between arrive in no live stream. One more read this long
    /// after a room starts or the broker reconnects finds them without waiting for the idle check.
    static constexpr int SettleMs = 500;

    RoomRecovery(Broker *broker, ChannelOf channelOf, Deliver deliver, QObject *parent = nullptr);

    /// The node got its first member in `room`: from now on its messages are delivered.
    void roomStarted(const QString &room);
    void roomEnded(const QString &room);
    /// A live message of `room` that carries an offset.
    void received(const QString &room, const Envelope &envelope);
    /// The broker is connected again: whatever was published meanwhile is read and delivered.
    void reconnected();

signals:
    /// Messages of `room` up to `position` could not be recovered; delivery goes on from there.
    void historyLost(const QString &room, const fanout::StreamPosition &position);

private:
    struct Room {
        bool known = false; ///< epoch and delivered are set
        bool reading = false;
        quint64 generation = 0; ///< which life of the room a read reply belongs to
        quint64 deliveredWhenRead = 0; ///< to tell a read that made no progress
        QString epoch;
        quint64 delivered = 0;
        std::map<quint64, Envelope> waiting; ///< live messages ahead of a gap, by offset
        QElapsedTimer quiet; ///< since the last message
    };

    void read(const QString &room);
    void onRead(const QString &room, quint64 generation, const HistoryRead &read);
    void readLater(const QString &room, int delayMs);
    void learnPosition(Room &state, const HistoryRead &read);
    void applyEntries(const QString &room, Room &state, const HistoryRead &read);
    void startEpoch(const QString &room, Room &state, const QString &epoch);
    void lose(const QString &room, Room &state, const StreamPosition &position);
    void flushWaiting(const QString &room, Room &state);
    void deliverInOrder(const QString &room, Room &state, const Envelope &envelope);
    void checkIdleRooms();

    Broker *m_broker;
    ChannelOf m_channelOf;
    Deliver m_deliver;
    QHash<QString, Room> m_rooms;
    QTimer m_idleCheck;
    quint64 m_generations = 0;
};

}
