#include "sessionauth.h"

#include "clientprotocol.h"
#include "envelope/jsontext.h"
#include "logging.h"
#include "session/session.h"

#include <QDateTime>
#include <QJsonObject>

namespace fanout {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray authenticatedFrame(const Session *session)
{
    return R"({"type":"authenticated","user":)" + JsonText::quote(session->user()) + R"(,"verified":)"
        + (session->isVerified() ? "true" : "false") + '}';
}

}

SessionAuth::SessionAuth(QByteArray tokenSecret, QObject *parent) : QObject(parent), m_verifier(std::move(tokenSecret))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SessionAuth::onDeadlines);
}

bool SessionAuth::opened(Session *session, const QByteArray &urlToken)
{
    session->setUser({}, false); // a connection starts anonymous, even a simulated one that reconnects
    if (!requiresToken())
        return true;
    if (!urlToken.isEmpty())
        return acceptToken(session, urlToken);
    if (session->protocol() == SessionProtocol::Room) {
        // Room mode has no auth frame: without a token on its URL it could never authenticate.
        closeSession(session, CloseUnauthorized, QStringLiteral("unauthorized: room mode needs ?token="));
        return false;
    }
    setDeadline(session, nowMs() + AuthTimeoutMs, CloseUnauthorized,
                QStringLiteral("unauthorized: no token within %1 s").arg(AuthTimeoutMs / 1000));
    return true;
}

void SessionAuth::closed(Session *session)
{
    clearDeadline(session);
}

void SessionAuth::authFrame(Session *session, const QJsonObject &frame)
{
    const QJsonValue token = frame.value(QLatin1String("token"));
    if (requiresToken()) {
        if (!token.isString())
            closeSession(session, CloseUnauthorized, QStringLiteral("unauthorized: auth needs a \"token\""));
        else
            acceptToken(session, token.toString().toUtf8());
        return;
    }
    const QJsonValue user = frame.value(QLatin1String("userId"));
    const QString name = user.toString();
    if (!user.isString() || !TokenVerifier::isValidUser(name)) {
        session->sendText(ClientProtocol::errorFrame(
            QStringLiteral("invalid_auth"),
            QStringLiteral("\"userId\" must be 1 to %1 printable ASCII characters").arg(TokenVerifier::MaxUserLength)));
        return;
    }
    if (!session->user().isEmpty() && session->user() != name) {
        session->sendText(
            ClientProtocol::errorFrame(QStringLiteral("invalid_auth"),
                                       QStringLiteral("this connection is already user \"%1\"").arg(session->user())));
        return;
    }
    acceptUser(session, name, false);
}

bool SessionAuth::acceptToken(Session *session, QByteArrayView token)
{
    const TokenVerifier::Result result = m_verifier.verify(token, nowMs());
    if (!result.verified) {
        qCInfo(lcNode).noquote() << "refused a token of" << session->id() << ":" << result.message;
        if (result.failure == TokenVerifier::Failure::Expired)
            closeSession(session, CloseTokenExpired, QStringLiteral("token expired"));
        else
            closeSession(session, CloseUnauthorized, QStringLiteral("unauthorized"));
        return false;
    }
    const TokenVerifier::Verified &verified = *result.verified;
    if (!session->user().isEmpty() && session->user() != verified.user) {
        closeSession(session, CloseUnauthorized, QStringLiteral("unauthorized: the token names another user"));
        return false;
    }
    clearDeadline(session);
    if (verified.expiresAtMs)
        setDeadline(session, *verified.expiresAtMs, CloseTokenExpired, QStringLiteral("token expired"));
    acceptUser(session, verified.user, true);
    return true;
}

void SessionAuth::acceptUser(Session *session, const QString &user, bool verified)
{
    const bool first = session->user().isEmpty();
    session->setUser(user, verified);
    if (session->protocol() == SessionProtocol::Typed) // room mode's frames are payloads only
        session->sendText(authenticatedFrame(session));
    if (first)
        emit authenticated(session);
}

void SessionAuth::closeSession(Session *session, int code, const QString &reason)
{
    clearDeadline(session);
    session->close(code, reason);
}

void SessionAuth::setDeadline(Session *session, qint64 atMs, int code, const QString &reason)
{
    clearDeadline(session);
    m_deadlineOf.insert(session, m_deadlines.insert({atMs, {session, code, reason}}));
    armTimer();
}

void SessionAuth::clearDeadline(Session *session)
{
    const auto found = m_deadlineOf.find(session);
    if (found == m_deadlineOf.end())
        return;
    m_deadlines.erase(found.value());
    m_deadlineOf.erase(found);
    armTimer();
}

void SessionAuth::armTimer()
{
    if (m_deadlines.empty()) {
        m_timer.stop();
        return;
    }
    // QTimer takes an int: a deadline days away is checked again in a day.
    const qint64 wait = std::clamp<qint64>(m_deadlines.begin()->first - nowMs(), 0, 24 * 3600 * 1000);
    m_timer.start(int(wait));
}

void SessionAuth::onDeadlines()
{
    const qint64 now = nowMs();
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        const Deadline deadline = m_deadlines.begin()->second;
        m_deadlineOf.remove(deadline.session);
        m_deadlines.erase(m_deadlines.begin());
        deadline.session->close(deadline.code, deadline.reason);
    }
    armTimer();
}

}
