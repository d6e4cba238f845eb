// What a Redis server (or anything listening where one should be) answers: the bytes go through
// hiredis's reader as RedisConnection feeds it, each reply through RedisReply::fromHiredis and
// then every parser of ours that reads a reply: redis-cli's display, the history and presence
// scripts' answers, cluster redirections, CLUSTER SLOTS and CLUSTER SHARDS.

#include "redis/clusterslotmap.h"
#include "redis/historyscripts.h"
#include "redis/presencescripts.h"
#include "redis/redisreply.h"

#include <hiredis/hiredis.h>

using namespace fanout;

namespace {

void readEveryWay(const RedisReply &reply)
{
    const QString host = QStringLiteral("10.0.0.1");
    QString error;
    (void)reply.toDisplayString();
    (void)HistoryScripts::parsePublish(reply);
    (void)HistoryScripts::parseRead(reply, true);
    (void)HistoryScripts::parseRead(reply, false);
    (void)HistoryScripts::isRetryable(reply);
    (void)PresenceScripts::parseRead(reply);
    (void)ClusterSlotMap::Redirect::parse(reply, host);
    if (const auto map = ClusterSlotMap::fromSlots(reply, host, &error))
        (void)map->masters();
    for (const bool tls : {false, true}) {
        if (const auto map = ClusterSlotMap::fromShards(reply, host, tls, &error))
            (void)map->masters();
    }
}

}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redisReader *reader = redisReaderCreate();
    if (redisReaderFeed(reader, reinterpret_cast<const char *>(data), size) == REDIS_OK) {
        void *raw = nullptr;
        while (redisReaderGetReply(reader, &raw) == REDIS_OK && raw) {
            const RedisReply reply = RedisReply::fromHiredis(static_cast<redisReply *>(raw));
            freeReplyObject(raw);
            raw = nullptr;
            readEveryWay(reply);
        }
    }
    redisReaderFree(reader);
    return 0;
}
