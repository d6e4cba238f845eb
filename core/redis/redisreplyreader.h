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
/// reads the array's header, so "*300000000" alone would ask for 2.4 GB. A reply whose arrays
/// declare more than MaxArrayElements elements in all (128 MiB of pointers) is a protocol error:
/// the connection fails with that reason and reconnects. No reply the fleet's own commands get
/// comes near it; a console command can (HGETALL of a hash of 8 million fields), and gets the
/// error instead of the reply.
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

    struct ReaderDeleter {
        void operator()(redisReader *reader) const;
    };
    std::unique_ptr<redisReader, ReaderDeleter> m_reader;
    QString m_error;
    qint64 m_replyElements = 0; ///< the elements the arrays of the reply being read declared
    QString m_refusal; ///< why an array was refused
};

}
