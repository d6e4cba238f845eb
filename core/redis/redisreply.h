#pragma once

#include <QByteArray>
#include <QList>

struct redisReply;

namespace fanout {

/// A Redis reply as a value, decoupled from hiredis's allocation.
struct RedisReply {
    enum class Type {
        Nil,
        Status,
        Error,
        Integer,
        String,
        Array
    };

    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray string; ///< for Status, Error and String
    QList<RedisReply> elements;

    static RedisReply fromHiredis(const redisReply *reply);
    static RedisReply makeError(const QByteArray &message);

    bool isError() const { return type == Type::Error; }
    /// How redis-cli prints this reply.
    QString toDisplayString() const;
};

}
