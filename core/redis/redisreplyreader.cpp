#include "redisreplyreader.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <algorithm>

namespace fanout {

namespace {

// hiredis keeps its reply functions private; a reader made by hiredis lends them.
const redisReplyObjectFunctions &hiredisFunctions()
{
    static const redisReplyObjectFunctions functions = [] {
        redisReader *reader = redisReaderCreate();
        const redisReplyObjectFunctions copy = *reader->fn;
        redisReaderFree(reader);
        return copy;
    }();
    return functions;
}

}

void RedisReplyReader::ReaderDeleter::operator()(redisReader *reader) const
{
    redisReaderFree(reader);
}

RedisReplyReader::RedisReplyReader() : m_reader(redisReaderCreate())
{
    static redisReplyObjectFunctions bounded = [] {
        redisReplyObjectFunctions functions = hiredisFunctions();
        functions.createArray = &RedisReplyReader::createBoundedArray;
        return functions;
    }();
    m_reader->fn = &bounded;
    m_reader->privdata = this;
}

RedisReplyReader::~RedisReplyReader() = default;

void *RedisReplyReader::createBoundedArray(const redisReadTask *task, int elements)
{
    auto *self = static_cast<RedisReplyReader *>(task->privdata);
    // Nested arrays count together: eight levels of 2^24 would otherwise take 1 GiB.
    if (!task->parent)
        self->m_replyElements = 0;
    self->m_replyElements += std::max(elements, 0);
    if (elements < 0 || elements > MaxArrayElements) {
        self->m_refusal
            = QStringLiteral("Redis protocol error: an array of %1 elements, more than the %2 a reply may hold")
                  .arg(elements)
                  .arg(MaxArrayElements);
    } else if (self->m_replyElements > MaxArrayElements) {
        self->m_refusal
            = QStringLiteral(
                  "Redis protocol error: arrays of %1 elements in one reply, more than the %2 a reply may hold")
                  .arg(self->m_replyElements)
                  .arg(MaxArrayElements);
    } else {
        return hiredisFunctions().createArray(task, elements);
    }
    return nullptr; // hiredis reports this as out of memory; next() says what it was
}

bool RedisReplyReader::feed(QByteArrayView bytes)
{
    if (!m_error.isEmpty())
        return false;
    if (redisReaderFeed(m_reader.get(), bytes.data(), size_t(bytes.size())) != REDIS_OK) {
        m_error = QStringLiteral("Redis reader: %1").arg(QString::fromUtf8(m_reader->errstr));
        return false;
    }
    return true;
}

RedisReplyReader::Result RedisReplyReader::next(RedisReply *reply)
{
    if (!m_error.isEmpty())
        return Result::Error;
    void *raw = nullptr;
    if (redisReaderGetReply(m_reader.get(), &raw) != REDIS_OK) {
        m_error = m_refusal.isEmpty()
            ? QStringLiteral("Redis protocol error: %1").arg(QString::fromUtf8(m_reader->errstr))
            : m_refusal;
        return Result::Error;
    }
    if (!raw)
        return Result::Incomplete;
    *reply = RedisReply::fromHiredis(static_cast<redisReply *>(raw));
    freeReplyObject(raw);
    return Result::Reply;
}

}
