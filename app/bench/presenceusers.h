#pragma once

#include "benchoptions.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

class QObject;
class QWebSocket;

/// Who the users of fanout-bench's presence mode are and how each one connects, for the members
/// and the askers alike: user i is `u<i>`, on URL i mod the number of URLs, and the first
/// askerCount() users (so --presence-askers on each node) are the ones that ask. Without a token
/// secret every user is typed and names itself; with one, users present signed tokens and only
/// the askers are typed, the others in room mode with the token on the URL.
class PresenceUsers
{
public:
    static inline const QString Room = QStringLiteral("bench-presence");

    /// What a typed user received, told by the frame's start (nodes write "type" first).
    enum class Frame {
        Answer, ///< the answer to a presence query
        Joined,
        Error,
        Greeting, ///< welcome, authenticated
        Other ///< events: user_joined, presence_joined, ...
    };
    static Frame kindOf(const QString &frame);

    explicit PresenceUsers(const BenchOptions &options);

    int count() const { return m_count; }
    int askerCount() const { return m_askers; }
    bool isTyped(int user) const { return m_secret.isEmpty() || user < m_askers; }
    static QString name(int user);
    /// `/rooms` for a typed user, else `/?room=R&token=T`.
    QUrl url(int user) const;
    /// The URL without its query (no token), for messages.
    QString displayUrl(int user) const;
    /// What a typed user sends once connected: its auth frame, then its join (the node handles
    /// a connection's frames in order, so the join finds it authenticated).
    QStringList openingFrames(int user) const;
    static QString presenceQuery();

    struct Handlers {
        std::function<void()> connected;
        std::function<void(const QString &frame)> received;
        std::function<void(const QString &fault)> lost; ///< a socket error or a close, in words
    };
    /// Opens user's connection, owned by parent; a typed user sends openingFrames() once
    /// connected, before handlers.connected runs.
    QWebSocket *open(int user, QObject *parent, const Handlers &handlers) const;

private:
    QByteArray token(int user) const;

    QList<QUrl> m_urls;
    QByteArray m_secret;
    int m_count;
    int m_askers;
};
