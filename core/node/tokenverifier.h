#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <utility>

namespace fanout {

/// Checks the HS256 JSON Web Tokens that clients present (RFC 7519, compact form only): first
/// the signature with the shared secret, then the claims "sub" (the user) and the optional "exp".
/// These rules are a contract with clients outside this repository. Nothing a token holds can
/// crash verify(); it keeps no state, so one instance may serve every thread.
class TokenVerifier
{
public:
    /// Longer tokens are refused unread, as Malformed.
    static constexpr qsizetype MaxTokenBytes = 8 * 1024;
    static constexpr qsizetype MaxUserLength = 128;

    /// What an accepted token says.
    struct Verified {
        QString user; ///< "sub": 1 to MaxUserLength printable ASCII characters (0x20 to 0x7E)
        std::optional<qint64> expiresAtMs; ///< "exp" in ms since the epoch, rounded up; none: never expires
    };
    enum class Failure {
        Malformed, ///< not three unpadded base64url parts, too long, a part not a JSON object, "exp" not a number
        UnsupportedAlgorithm, ///< the header's "alg" is anything but "HS256", "none" included
        BadSignature, ///< not signed with our secret, or verification is disabled
        InvalidSubject, ///< "sub" missing, or not 1 to MaxUserLength printable ASCII characters
        Expired, ///< exp * 1000 <= now (ms)
    };
    struct Result {
        std::optional<Verified> verified; ///< set exactly when the token is accepted
        Failure failure = Failure::Malformed; ///< why it was refused, when it was
        QString message; ///< the refusal in words fit for the client and the log
    };

    /// An empty secret disables verification: isEnabled() is false and verify() refuses every token.
    explicit TokenVerifier(QByteArray secret) : m_secret(std::move(secret)) { }

    bool isEnabled() const { return !m_secret.isEmpty(); }
    /// A user id: 1 to MaxUserLength printable ASCII characters (0x20 to 0x7E), whoever names it.
    static bool isValidUser(const QString &user);
    /// The payload is read only once the signature holds. nowMs: ms since the epoch.
    Result verify(QByteArrayView token, qint64 nowMs) const;

    /// Mints a token that verify() accepts with this secret: header {"alg":"HS256","typ":"JWT"},
    /// the payload as given (give it a "sub", and an "exp" in seconds for a token that expires).
    /// For tests and the studio; a node only verifies.
    static QByteArray sign(const QByteArray &secret, const QJsonObject &payload);

private:
    QByteArray m_secret;
};

}
