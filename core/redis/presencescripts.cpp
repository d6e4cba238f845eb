#include "presencescripts.h"

#include "envelope/jsontext.h"
#include "redisreply.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace fanout {

namespace {

QList<QByteArray> keysOf(const QByteArray &set)
{
    return {set, set + ":expiry", set + ":count"};
}

QByteArray entryJson(const PresenceEntry &entry)
{
    return "{\"k\":" + JsonText::quote(entry.subject) + ",\"u\":" + JsonText::quote(entry.user)
        + ",\"n\":" + JsonText::quote(entry.node) + ",\"s\":" + QByteArray::number(entry.sinceMs) + '}';
}

const char *kindName(PresenceChange::Kind kind)
{
    switch (kind) {
    case PresenceChange::Kind::Join:
        return "join";
    case PresenceChange::Kind::Leave:
        return "leave";
    case PresenceChange::Kind::Refresh:
        break;
    }
    return "refresh";
}

}

const RedisScript &PresenceScripts::changeScript()
{
    static const RedisScript script(R"lua(
local set, expiry, counts = KEYS[1], KEYS[2], KEYS[3]
local kind, now, expires, channel, format, keyTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local function emit(entry)
  local event = string.gsub(format, '%$user', function() return cjson.encode(entry.u) end)
  event = string.gsub(event, '%$node', function() return cjson.encode(entry.n) end)
  event = string.gsub(event, '%$ts', function() return now end)
  redis.call('PUBLISH', channel, event)
end
local function remove(connection)
  redis.call('ZREM', expiry, connection)
  local raw = redis.call('HGET', set, connection)
  if not raw then return end
  redis.call('HDEL', set, connection)
  local entry = cjson.decode(raw)
  if redis.call('HINCRBY', counts, entry.k, -1) <= 0 then
    redis.call('HDEL', counts, entry.k)
    emit(entry)
  end
end
if kind == 'join' then
  for i = 7, #ARGV, 2 do
    if redis.call('HSETNX', set, ARGV[i], ARGV[i + 1]) == 1 then
      local entry = cjson.decode(ARGV[i + 1])
      if redis.call('HINCRBY', counts, entry.k, 1) == 1 then emit(entry) end
    end
    redis.call('ZADD', expiry, expires, ARGV[i])
  end
elseif kind == 'leave' then
  for i = 7, #ARGV do remove(ARGV[i]) end
else
  for i = 7, #ARGV do redis.call('ZADD', expiry, 'XX', expires, ARGV[i]) end
  for _, connection in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', now)) do remove(connection) end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, keyTtl) end
return 1
)lua");
    return script;
}

const RedisScript &PresenceScripts::readScript()
{
    static const RedisScript script(R"lua(
local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  local raw = redis.call('HGET', KEYS[1], live[i])
  if raw then
    out[#out + 1] = live[i]
    out[#out + 1] = raw
    out[#out + 1] = live[i + 1]
  end
end
return out
)lua");
    return script;
}

QList<QByteArray> PresenceScripts::changeCall(const PresenceChange &change, qint64 ttlMs, bool bySha)
{
    QList<QByteArray> args {kindName(change.kind),
                            QByteArray::number(change.nowMs),
                            QByteArray::number(change.expiresAtMs),
                            change.eventChannel,
                            change.eventFormat,
                            QByteArray::number(std::max<qint64>(1, ttlMs * KeyLifetimes))};
    for (const PresenceEntry &entry : change.entries) {
        args.append(entry.connection.toUtf8());
        if (change.kind == PresenceChange::Kind::Join)
            args.append(entryJson(entry));
    }
    return changeScript().call(keysOf(change.set), args, bySha);
}

QList<QByteArray> PresenceScripts::readCall(const QByteArray &set, qint64 nowMs, bool bySha)
{
    return readScript().call(keysOf(set).mid(0, 2), {QByteArray::number(nowMs)}, bySha);
}

PresenceRead PresenceScripts::parseRead(const RedisReply &reply)
{
    PresenceRead read;
    if (reply.type != RedisReply::Type::Array)
        return read;
    read.ok = true;
    for (qsizetype i = 0; i + 2 < reply.elements.size(); i += 3) {
        const QJsonObject entry = QJsonDocument::fromJson(reply.elements.at(i + 1).string).object();
        read.entries.push_back(
            {QString::fromUtf8(reply.elements.at(i).string), entry.value(QLatin1String("k")).toString(),
             entry.value(QLatin1String("u")).toString(), entry.value(QLatin1String("n")).toString(),
             qint64(entry.value(QLatin1String("s")).toDouble()), reply.elements.at(i + 2).string.toLongLong()});
    }
    return read;
}

}
