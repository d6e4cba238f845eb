#pragma once

#include "session/session.h"
#include "tokenverifier.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <map>

namespace fanout {

/// Who each session is (docs/protocol.md, "Identity"). With a token secret, a session must
/// present a valid HS256 token (`?token=` on its URL, or an `auth` frame) before anything else:
/// it is closed with 4001 when a token is bad or none came within AuthTimeoutMs, and with 4002
/// when its token expires, unless a fresh one for the same user came first. Without a secret a
/// client may name itself (`{"type":"auth","userId":U}`, unverified) or stay anonymous.
class SessionAuth : public QObject
{
    Q_OBJECT
public:
    static constexpr int AuthTimeoutMs = 10000;
    static constexpr int CloseUnauthorized = 4001;
    static constexpr int CloseTokenExpired = 4002;

    explicit SessionAuth(QByteArray tokenSecret, QObject *parent = nullptr);

    bool requiresToken() const { return m_verifier.isEnabled(); }
    /// A session connected with `urlToken` (empty when its URL had none). False when the token
    /// was refused, or a room-mode session came without one, and the session closed.
    bool opened(Session *session, const QByteArray &urlToken);
    void closed(Session *session);
    /// An `auth` frame: answers `authenticated`, an error frame, or closes the session.
    void authFrame(Session *session, const QJsonObject &frame);
    /// With a secret, only authenticated sessions may do anything but authenticate.
    bool mayProceed(const Session *session) const { return !requiresToken() || !session->user().isEmpty(); }

signals:
    /// The session has its user now (first authentication only; a refresh keeps the user).
    void authenticated(fanout::Session *session);

private:
    /// Applies a token: accepts it (and schedules its expiry) or closes the session.
    bool acceptToken(Session *session, QByteArrayView token);
    void acceptUser(Session *session, const QString &user, bool verified);
    void closeSession(Session *session, int code, const QString &reason);
    void setDeadline(Session *session, qint64 atMs, int code, const QString &reason);
    void clearDeadline(Session *session);
    void armTimer();
    void onDeadlines();

    struct Deadline {
        Session *session;
        int code;
        QString reason;
    };
    TokenVerifier m_verifier;
    std::multimap<qint64, Deadline> m_deadlines;
    QHash<Session *, std::multimap<qint64, Deadline>::iterator> m_deadlineOf;
    QTimer m_timer;
};

}
