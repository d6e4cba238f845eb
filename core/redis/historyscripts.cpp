#include "historyscripts.h"

#include "broker/hashslot.h"
#include "redisconnection.h"

#include <algorithm>

namespace fanout {

namespace {

QByteArray streamKey(const QByteArray &channel)
{
    return HashSlot::keyBeside(channel, ":history");
}

QByteArray metaKey(const QByteArray &channel)
{
    return HashSlot::keyBeside(channel, ":meta");
}

}

const RedisScript &HistoryScripts::publishScript()
{
    static const RedisScript script(R"lua(
local stream, meta = KEYS[1], KEYS[2]
local channel, envelope, size, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local origin, id = ARGV[5], tonumber(ARGV[6])
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  -- A new history: whatever a lost meta left of the old stream must not pass for it.
  redis.call('DEL', stream)
  epoch = ARGV[7]
  redis.call('HSET', meta, 'epoch', epoch, 'top', 0)
end
if origin ~= '' then
  local last = redis.call('HGET', meta, 'o:' .. origin)
  if last then
    local sep = string.find(last, ':', 1, true)
    local lastId = tonumber(string.sub(last, 1, sep - 1))
    if id == lastId then
      return {tonumber(string.sub(last, sep + 1)), epoch, 1}
    end
    if id < lastId then
      local entries = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1000)
      for _, entry in ipairs(entries) do
        local fields = entry[2]
        if fields[2] == origin and tonumber(fields[4]) == id then
          return {tonumber(string.match(entry[1], '^(%d+)')), epoch, 1}
        end
      end
      -- Not among the recent entries: rather stored twice than lost.
    end
  end
end
local offset = redis.call('HINCRBY', meta, 'top', 1)
local message = string.sub(envelope, 1, -2) .. ',"offset":' .. offset .. ',"epoch":"' .. epoch .. '"}'
redis.call('XADD', stream, 'MAXLEN', '~', size, offset .. '-0', 'o', origin, 'i', ARGV[6], 'm', message)
if origin ~= '' then
  redis.call('HSET', meta, 'o:' .. origin, ARGV[6] .. ':' .. offset)
end
redis.call('EXPIRE', stream, ttl)
redis.call('EXPIRE', meta, ttl)
redis.call(ARGV[8], channel, message)
return {offset, epoch, 0}
)lua");
    return script;
}

const RedisScript &HistoryScripts::readScript()
{
    static const RedisScript script(R"lua(
local position = redis.call('HMGET', KEYS[2], 'epoch', 'top')
local limit = tonumber(ARGV[2])
local entries = {}
if limit > 0 and position[1] then
  if ARGV[3] == '1' then
    entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', limit)
  else
    entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1] .. '-0', '+', 'COUNT', limit)
  end
end
return {position[1] or '', position[2] or '0', entries}
)lua");
    return script;
}

QList<QByteArray> HistoryScripts::publishCall(const QByteArray &channel, const QByteArray &envelope,
                                              const HistoryAppend &append, const QByteArray &newEpoch, bool sharded,
                                              bool bySha)
{
    return publishScript().call({streamKey(channel), metaKey(channel)},
                                {channel, envelope, QByteArray::number(append.policy.size),
                                 QByteArray::number(append.policy.ttlSeconds), append.origin.toUtf8(),
                                 QByteArray::number(append.id), newEpoch, sharded ? "SPUBLISH" : "PUBLISH"},
                                bySha);
}

QList<QByteArray> HistoryScripts::readCall(const QByteArray &channel, const HistoryQuery &query, bool bySha)
{
    return readScript().call(
        {streamKey(channel), metaKey(channel)},
        {QByteArray::number(query.after), QByteArray::number(query.limit), query.latest ? "1" : "0"}, bySha);
}

std::optional<StreamPosition> HistoryScripts::parsePublish(const RedisReply &reply)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.size() != 3)
        return std::nullopt;
    return StreamPosition {quint64(std::max<qint64>(0, reply.elements.at(0).integer)),
                           QString::fromUtf8(reply.elements.at(1).string)};
}

HistoryRead HistoryScripts::parseRead(const RedisReply &reply, bool latest)
{
    HistoryRead read;
    if (reply.type != RedisReply::Type::Array || reply.elements.size() != 3)
        return read;
    read.ok = true;
    read.top = {reply.elements.at(1).string.toULongLong(), QString::fromUtf8(reply.elements.at(0).string)};
    for (const RedisReply &entry : reply.elements.at(2).elements) {
        if (entry.elements.size() != 2 || entry.elements.at(1).elements.size() < 6)
            continue;
        const QByteArray id = entry.elements.at(0).string;
        read.entries.push_back({id.left(id.indexOf('-')).toULongLong(), entry.elements.at(1).elements.at(5).string});
    }
    if (latest)
        std::reverse(read.entries.begin(), read.entries.end());
    return read;
}

bool HistoryScripts::isRetryable(const RedisReply &reply)
{
    if (!reply.isError())
        return false;
    static const QList<QByteArray> transient {"NOSCRIPT", "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN"};
    return reply.string == RedisConnection::LostError
        || std::any_of(transient.begin(), transient.end(),
                       [&](const QByteArray &prefix) { return reply.string.startsWith(prefix); });
}

}
