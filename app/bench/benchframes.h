#pragma once

#include <QString>
#include <QStringView>
#include <QUrl>

/// The frames fanout-bench's clients send and read (docs/protocol.md). In room mode a client is
/// a member of the room in its URL and every frame is a bare payload; in typed mode it connects
/// to /rooms, joins its room (with `since` when it resumes) and reads message frames, which
/// carry the payload as `content` and, in rooms with history, the message's offset and epoch.
class BenchFrames
{
public:
    enum class Protocol {
        Room,
        Typed
    };
    /// Where a typed client is in its room's history.
    struct Position {
        qint64 offset = -1; ///< -1: no message with an offset seen yet
        QString epoch;
    };
    struct Incoming {
        enum class Kind {
            Payload, ///< a load message: sender, sequence and sentAt are set
            Joined, ///< typed: the join is confirmed; with history, `recovered` and `position`
            Other, ///< a frame the bench does not count (welcome, user_joined, ...)
            Malformed
        };
        Kind kind = Kind::Malformed;
        qint64 sender = -1;
        qint64 sequence = -1;
        qint64 sentAt = -1;
        Position position; ///< a message's place, or the room's top for Joined
        bool recovered = false;
    };

    static QUrl url(QUrl node, Protocol protocol, const QString &room);
    static QString join(const QString &room, const Position &since);
    static QString payload(int sender, quint32 sequence, qint64 sentAtNs, const QString &padding);
    static QString publish(Protocol protocol, const QString &room, const QString &payload);
    static Incoming read(Protocol protocol, QStringView text);
    /// The integer after `key` in `text` (such as `"q":`), -1 when there is none.
    static qint64 integerField(QStringView text, QStringView key);
};
