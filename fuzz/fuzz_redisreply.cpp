// What a Redis server (or anything listening where one should be) answers: the bytes go through
// the RedisReplyReader that RedisConnection feeds, each reply through RedisReply::fromHiredis and
// then every parser of ours that reads a reply: redis-cli's display, the history and presence
// scripts' answers, cluster redirections, CLUSTER SLOTS and CLUSTER SHARDS.

#include "redis/clusterslotmap.h"
#include "redis/historyscripts.h"
#include "redis/presencescripts.h"
#include "redis/redisreply.h"
#include "redis/redisreplyreader.h"

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
    RedisReplyReader reader;
    if (!reader.feed(QByteArrayView(data, qsizetype(size))))
        return 0;
    RedisReply reply;
    while (reader.next(&reply) == RedisReplyReader::Result::Reply)
        readEveryWay(reply);
    return 0;
}
