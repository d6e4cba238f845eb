#pragma once

#include "redisreply.h"

#include <QByteArrayView>
#include <QString>

#include <memory>

struct redisReader;
struct redisReadTask;

namespace fanout {

/// Turns the bytes a Redis server sends into RedisReply values with hiredis's reader, and bounds
/// what the bytes may make it allocate: hiredis allocates an array's element table as soon as it
/// reads the array's header, so "*300000000" alone would ask for 2.4 GB. An array declaring more
/// than MaxArrayElements elements is a protocol error. Redis itself never answers a command we
/// send with that many (PUBSUB CHANNELS on a server with 16 million channels would be the first).
class RedisReplyReader
{
public:
    static constexpr int MaxArrayElements = 1 << 24;

    enum class Result {
        Reply, ///< the next reply was read
        Incomplete, ///< the bytes fed so far end inside a reply
        Error ///< the stream is broken; errorString() says how, and the reader reads no more
    };

    RedisReplyReader();
    ~RedisReplyReader();
    RedisReplyReader(const RedisReplyReader &) = delete;
    RedisReplyReader &operator=(const RedisReplyReader &) = delete;

    bool feed(QByteArrayView bytes);
    Result next(RedisReply *reply);
    QString errorString() const { return m_error; }

private:
    static void *createBoundedArray(const redisReadTask *task, int elements);
    void fail(const QString &error);

    struct ReaderDeleter {
        void operator()(redisReader *reader) const;
    };
    std::unique_ptr<redisReader, ReaderDeleter> m_reader;
    QString m_error;
    int m_refusedElements = 0; ///< what the last refused array declared
};

}
