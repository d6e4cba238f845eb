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
local kind, ttl, channel, joined, left, keyTtl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local events = {}
local function emit(format, entry)
  local values = {user = cjson.encode(entry.u), node = cjson.encode(entry.n), ts = tostring(now)}
  local event = string.gsub(format, '%$(%a+)', function(name) return values[name] end)
  if channel == '' then events[#events + 1] = event else redis.call('PUBLISH', channel, event) end
end
local function remove(connection)
  redis.call('ZREM', expiry, connection)
  local raw = redis.call('HGET', set, connection)
  if not raw then return end
  redis.call('HDEL', set, connection)
  local entry = cjson.decode(raw)
  local count = redis.call('HINCRBY', counts, entry.k, -1)
  if count <= 0 then
    redis.call('HDEL', counts, entry.k)
    if count == 0 then emit(left, entry) end
  end
end
if kind == 'leave' then
  for i = 7, #ARGV do remove(ARGV[i]) end
else
  for i = 7, #ARGV, 2 do
    -- A refresh of an entry still there is one command; a missing one is joined again.
    if kind ~= 'refresh' or redis.call('ZADD', expiry, 'XX', 'CH', now + ttl, ARGV[i]) == 0 then
      if redis.call('HSETNX', set, ARGV[i], ARGV[i + 1]) == 1 then
        local entry = cjson.decode(ARGV[i + 1])
        if redis.call('HINCRBY', counts, entry.k, 1) == 1 then emit(joined, entry) end
      end
      redis.call('ZADD', expiry, now + ttl, ARGV[i])
    end
  end
  if kind == 'refresh' then
    for _, connection in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', now)) do remove(connection) end
  end
end
local remaining = redis.call('HLEN', set)
if remaining > 0 then
  -- Only ever lengthened: a node with a shorter entry lifetime must not cut the others' short.
  for _, key in ipairs(KEYS) do
    if redis.call('PTTL', key) < keyTtl then redis.call('PEXPIRE', key, keyTtl) end
  end
end
if channel == '' then
  table.insert(events, 1, remaining)
  return events
end
return remaining
)lua");
    return script;
}

const RedisScript &PresenceScripts::readScript()
{
    static const RedisScript script(R"lua(
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf', 'WITHSCORES')
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

QList<QByteArray> PresenceScripts::changeCall(const PresenceChange &change, qint64 ttlMs, bool sharded, bool bySha)
{
    QList<QByteArray> args {kindName(change.kind),
                            QByteArray::number(ttlMs),
                            sharded ? QByteArray() : change.eventChannel,
                            change.joinedFormat,
                            change.leftFormat,
                            QByteArray::number(std::max<qint64>(1, ttlMs * KeyLifetimes))};
    for (const PresenceEntry &entry : change.entries) {
        args.append(entry.connection.toUtf8());
        if (change.kind != PresenceChange::Kind::Leave)
            args.append(entryJson(entry));
    }
    return changeScript().call(keysOf(change.set), args, bySha);
}

QList<QByteArray> PresenceScripts::readCall(const QByteArray &set, bool bySha)
{
    return readScript().call(keysOf(set).mid(0, 2), {}, bySha);
}

PresenceRead PresenceScripts::parseRead(const RedisReply &reply)
{
    PresenceRead read;
    if (reply.type != RedisReply::Type::Array)
        return read;
    read.ok = true;
    for (qsizetype i = 0; i + 2 < reply.elements.size(); i += 3) {
        const QJsonObject entry = QJsonDocument::fromJson(reply.elements.at(i + 1).string).object();
        read.entries.push_back({QString::fromUtf8(reply.elements.at(i).string),
                                entry.value(QLatin1String("k")).toString(), entry.value(QLatin1String("u")).toString(),
                                entry.value(QLatin1String("n")).toString(),
                                JsonText::toInt64(entry.value(QLatin1String("s")).toDouble()),
                                reply.elements.at(i + 2).string.toLongLong()});
    }
    return read;
}

}
