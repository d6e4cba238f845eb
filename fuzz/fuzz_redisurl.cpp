// What --redis, REDIS_URL, --broker and File > Attach are given: RedisUrl::parse, and the forms
// a parsed URL is printed and split in.

#include "redis/redisurl.h"

using namespace fanout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    if (const std::optional<RedisUrl> url = RedisUrl::parse(text, &error)) {
        (void)url->toDisplayString();
        for (const RedisUrl::Address &address : url->sentinels)
            (void)address.toString();
        for (const RedisUrl::Address &address : url->clusterNodes)
            (void)url->atAddress(address).toDisplayString();
    }
    return 0;
}
