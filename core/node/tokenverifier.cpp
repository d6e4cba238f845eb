#include "tokenverifier.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QList>
#include <QMessageAuthenticationCode>

#include <algorithm>
#include <cmath>

namespace fanout {

namespace {

using Failure = TokenVerifier::Failure;
using Result = TokenVerifier::Result;

constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
constexpr char Header[] = R"({"alg":"HS256","typ":"JWT"})";

Result refused(Failure failure, const QString &message)
{
    return {std::nullopt, failure, message};
}

// Qt's decoder skips characters outside the alphabet and ignores the unused low bits of the last
// character; accepting only the one canonical spelling of each value gives a token a single text.
std::optional<QByteArray> fromBase64Url(const QByteArray &text)
{
    QByteArray data = QByteArray::fromBase64(text, QByteArray::Base64UrlEncoding);
    if (data.toBase64(Base64Url) != text)
        return std::nullopt;
    return data;
}

/// A compact JWS, its parts decoded.
struct CompactParts {
    QByteArray signingInput; ///< the header and payload texts, as signed
    QByteArray header;
    QByteArray payload;
    QByteArray signature;
};

std::optional<CompactParts> splitCompact(QByteArrayView token)
{
    const QList<QByteArray> texts = token.toByteArray().split('.');
    if (texts.size() != 3)
        return std::nullopt;
    std::optional<QByteArray> header = fromBase64Url(texts[0]);
    std::optional<QByteArray> payload = fromBase64Url(texts[1]);
    std::optional<QByteArray> signature = fromBase64Url(texts[2]);
    if (!header || !payload || !signature)
        return std::nullopt;
    return CompactParts {texts[0] + '.' + texts[1], std::move(*header), std::move(*payload), std::move(*signature)};
}

std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

QByteArray hs256(const QByteArray &secret, const QByteArray &signingInput)
{
    return QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256);
}

// Looks at every byte whatever it finds, so that the time taken does not tell a forger how many
// leading bytes of a guessed signature were right.
bool equalInConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false; // the length of an HMAC-SHA256 is no secret
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

// Rounded up so that "expired" is exactly expiresAtMs <= nowMs; far-off times saturate instead of
// overflowing qint64 (the JSON parser already refuses infinities).
qint64 secondsToMs(double seconds)
{
    constexpr double Limit = 9e18;
    return static_cast<qint64>(std::clamp(std::ceil(seconds * 1000), -Limit, Limit));
}

// Only called once the signature holds: these claims are ours.
Result readClaims(const QByteArray &payload, qint64 nowMs)
{
    const std::optional<QJsonObject> claims = parseObject(payload);
    if (!claims)
        return refused(Failure::Malformed, QStringLiteral("the token's payload is not a JSON object"));
    const QJsonValue sub = claims->value(QLatin1String("sub"));
    if (!sub.isString() || !TokenVerifier::isValidUser(sub.toString())) {
        return refused(
            Failure::InvalidSubject,
            QStringLiteral("\"sub\" must be 1 to %1 printable ASCII characters").arg(TokenVerifier::MaxUserLength));
    }
    TokenVerifier::Verified verified {sub.toString(), std::nullopt};
    const auto exp = claims->constFind(QLatin1String("exp"));
    if (exp == claims->constEnd())
        return {verified, {}, {}};
    if (!exp->isDouble())
        return refused(Failure::Malformed, QStringLiteral("\"exp\" must be a number of seconds since the epoch"));
    verified.expiresAtMs = secondsToMs(exp->toDouble());
    if (*verified.expiresAtMs <= nowMs) {
        const QDateTime expiry = QDateTime::fromMSecsSinceEpoch(*verified.expiresAtMs, Qt::UTC);
        return refused(
            Failure::Expired,
            QStringLiteral("the token of \"%1\" expired at %2").arg(verified.user, expiry.toString(Qt::ISODateWithMs)));
    }
    return {verified, {}, {}};
}

}

TokenVerifier::Result TokenVerifier::verify(QByteArrayView token, qint64 nowMs) const
{
    if (token.size() > MaxTokenBytes)
        return refused(Failure::Malformed, QStringLiteral("a token has at most %1 bytes").arg(MaxTokenBytes));
    const std::optional<CompactParts> parts = splitCompact(token);
    if (!parts)
        return refused(Failure::Malformed, QStringLiteral("a token is three unpadded base64url parts joined by dots"));
    const std::optional<QJsonObject> header = parseObject(parts->header);
    if (!header)
        return refused(Failure::Malformed, QStringLiteral("the token's header is not a JSON object"));
    if (header->value(QLatin1String("alg")) != QJsonValue(QLatin1String("HS256")))
        return refused(Failure::UnsupportedAlgorithm, QStringLiteral("only \"alg\": \"HS256\" is accepted"));
    // With no secret anyone could sign, so a disabled verifier accepts nothing.
    if (!isEnabled() || !equalInConstantTime(parts->signature, hs256(m_secret, parts->signingInput)))
        return refused(Failure::BadSignature, QStringLiteral("the token's signature does not match"));
    return readClaims(parts->payload, nowMs);
}

QByteArray TokenVerifier::sign(const QByteArray &secret, const QJsonObject &payload)
{
    const QByteArray signingInput = QByteArray(Header).toBase64(Base64Url) + '.'
        + QJsonDocument(payload).toJson(QJsonDocument::Compact).toBase64(Base64Url);
    return signingInput + '.' + hs256(secret, signingInput).toBase64(Base64Url);
}

bool TokenVerifier::isValidUser(const QString &user)
{
    return !user.isEmpty() && user.size() <= MaxUserLength
        && std::all_of(user.cbegin(), user.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() <= 0x7e; });
}

}
