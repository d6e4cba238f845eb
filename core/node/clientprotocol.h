#pragma once

#include "broker/history.h"
#include "publishratelimiter.h"
#include "sessionauth.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace fanout {

class Node;
class Session;

/// Turns client frames into Node calls, for both wire protocols (docs/protocol.md): room mode
/// and typed mode. Bad frames get an error frame and change nothing else. Transport-neutral:
/// the WebSocket sessions of NodeServer and the studio's virtual clients go through the same
/// instance of a node, so every rule here holds for both.
class ClientProtocol
{
public:
    static constexpr qsizetype MaxRoomsPerSession = 100;
    /// The largest "history" a join may ask for; the answer holds at most SessionHistory::MaxLatest.
    static constexpr qint64 MaxHistoryRequest = 1'000'000;

    explicit ClientProtocol(Node &node);

    /// A session has connected with `token` on its URL (or none). Room mode joins `room`; typed
    /// mode sends a welcome frame. With a token secret the token is checked first (SessionAuth).
    void opened(Session *session, const QString &room = {}, const QByteArray &token = {});
    /// Whether the node's clients must present tokens: room mode then needs `?token=`.
    bool requiresToken() const { return m_auth.requiresToken(); }
    /// One text frame from the client, in UTF-8.
    void textReceived(Session *session, const QByteArray &frame);
    void binaryReceived(Session *session);
    /// The session is gone: leaves its rooms (typed mode tells the rooms with user_left).
    void closed(Session *session);

    /// `--max-publish-rate`: messages per second and connection, 0 for no limit (the default).
    void setMaxPublishRate(int perSecond) { m_limiter.setRate(perSecond); }
    /// Error frames sent so far, by code (invalid_json, not_joined, rate_limited...).
    const QHash<QString, quint64> &rejectedFrames() const { return m_rejected; }
    /// Connections closed for flooding past the publish rate limit.
    quint64 floodCloses() const { return m_floodCloses; }

    static constexpr int FloodCloseCode = 4029;
    static QByteArray errorFrame(const QString &code, const QString &message);
    static bool isErrorFrame(QByteArrayView frame);

private:
    void roomModeText(Session *session, const QByteArray &frame);
    void typedModeText(Session *session, const QByteArray &frame);
    /// Frames that are not about one room; false when `type` is none of them.
    bool userFrame(Session *session, const QString &type, const QJsonObject &object, const QByteArray &frame);
    /// Checks a room frame's type and room; sends the error and returns nothing when bad.
    std::optional<QString> roomOf(Session *session, const QString &type, const QJsonObject &object);
    /// What a join asks of the room's history: nothing, the last N messages, or a recovery.
    struct HistoryRequest {
        std::optional<qsizetype> latest;
        std::optional<StreamPosition> since;
    };
    /// Reads "history" and "since"; sends invalid_history and returns nothing when bad.
    std::optional<HistoryRequest> historyRequest(Session *session, const QJsonObject &object);
    void join(Session *session, const QString &room, const HistoryRequest &request);
    void leave(Session *session, const QString &room);
    void message(Session *session, const QString &room, const QJsonObject &object, const QByteArray &frame);
    void presence(Session *session, const QString &room);
    void directMessage(Session *session, const QJsonObject &object, const QByteArray &frame);
    /// The frame's `content` as JSON.stringify writes it (JsonStringify); an error frame when
    /// it cannot be read so.
    std::optional<QByteArray> contentOf(Session *session, const QByteArray &frame);
    void publishEvent(Session *session, const QString &room, const char *type);
    /// Sends an error frame and counts it.
    void reject(Session *session, const QString &code, const QString &message);
    /// Takes a publish from the session's rate limit; when refused, answers rate_limited (or
    /// closes a flooding connection) and returns false.
    bool mayPublish(Session *session);

    Node &m_node;
    SessionAuth m_auth;
    QHash<Session *, QString> m_homeRooms;
    PublishRateLimiter m_limiter;
    QElapsedTimer m_clock;
    QHash<QString, quint64> m_rejected;
    quint64 m_floodCloses = 0;
};

}
