// What arrives on a room's channel from any publisher (another node, redis-cli, a stranger with
// access to Redis): Envelope::decode, and JsonStringify, which writes payloads and client content
// as JSON.stringify(JSON.parse(text)) does. Beyond crashes it checks that a decoded envelope
// survives encode() and decode() again, and that JsonStringify's output is a fixed point.

#include "envelope/envelope.h"
#include "envelope/jsonstringify.h"

#include <cstdio>
#include <cstdlib>

using namespace fanout;

namespace {

[[noreturn]] void broken(const char *promise, const QByteArray &text)
{
    std::fprintf(stderr, "%s: %s\n", promise, text.constData());
    std::abort();
}

/// JSON.stringify(JSON.parse(x)) read again gives itself.
void checkStringify(QByteArrayView text)
{
    const std::optional<QByteArray> written = JsonStringify::value(text);
    if (!written)
        return;
    if (JsonStringify::value(*written) != written)
        broken("JsonStringify::value is not a fixed point", *written);
    (void)JsonStringify::member(text, "content");
}

void checkEnvelope(QByteArrayView raw)
{
    const std::optional<Envelope> decoded = Envelope::decode(raw);
    if (!decoded)
        return;
    const std::optional<QByteArray> payload = JsonStringify::value(decoded->payload);
    if (!payload)
        broken("a decoded payload is not JSON", decoded->payload);
    const QByteArray encoded = decoded->encode();
    const std::optional<Envelope> again = Envelope::decode(encoded);
    if (!again)
        broken("an encoded envelope does not decode", encoded);
    // The payload may come back compacted differently (a compact one is kept as written), but
    // it is the same JSON value.
    if (again->ts != decoded->ts || again->id != decoded->id || again->kind != decoded->kind
        || JsonStringify::value(again->payload) != payload)
        broken("an envelope changed through encode and decode", encoded);
}

}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    checkEnvelope(text);
    checkStringify(text);
    return 0;
}
