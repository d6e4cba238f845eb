// Tokens clients present (`?token=`, `auth` frames) to TokenVerifier. A random token never gets
// past the signature, so half the inputs are signed first: with the first byte odd, the rest is
// `header\npayload` (JSON, or anything), encoded and signed with the verifier's secret, which
// takes the claims to the parser. Beyond crashes it checks what an accepted token promises.

#include "node/tokenverifier.h"

#include <QMessageAuthenticationCode>

#include <cstdio>
#include <cstdlib>

using namespace fanout;

namespace {

const QByteArray Secret = "fuzz-secret";
constexpr qint64 NowMs = 1'700'000'000'000;

QByteArray base64Url(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray signedToken(QByteArrayView parts)
{
    const qsizetype newline = parts.indexOf('\n');
    const QByteArrayView header = newline < 0 ? parts : parts.first(newline);
    const QByteArrayView payload = newline < 0 ? QByteArrayView() : parts.sliced(newline + 1);
    const QByteArray signingInput = base64Url(header) + '.' + base64Url(payload);
    return signingInput + '.'
        + base64Url(QMessageAuthenticationCode::hash(signingInput, Secret, QCryptographicHash::Sha256));
}

}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArrayView rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    const QByteArray token = (data[0] & 1) ? signedToken(rest) : rest.toByteArray();
    const TokenVerifier::Result result = TokenVerifier(Secret).verify(token, NowMs);
    if (result.verified) {
        const bool expired = result.verified->expiresAtMs && *result.verified->expiresAtMs <= NowMs;
        if (!TokenVerifier::isValidUser(result.verified->user) || expired
            || token.size() > TokenVerifier::MaxTokenBytes) {
            std::fprintf(stderr, "an accepted token breaks its promises: %s\n", token.constData());
            std::abort();
        }
    } else if (result.message.isEmpty()) {
        std::fprintf(stderr, "a refused token has no reason: %s\n", token.constData());
        std::abort();
    }
    return 0;
}
