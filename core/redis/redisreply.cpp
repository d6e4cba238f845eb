#include "redisreply.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

namespace fanout {

RedisReply RedisReply::fromHiredis(const redisReply *reply)
{
    RedisReply result;
    switch (reply->type) {
    case REDIS_REPLY_STATUS:
        result.type = Type::Status;
        result.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        result.type = Type::Error;
        result.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STRING:
        result.type = Type::String;
        result.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        result.type = Type::Integer;
        result.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        result.type = Type::Array;
        result.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            result.elements.append(fromHiredis(reply->element[i]));
        break;
    default:
        result.type = Type::Nil;
        break;
    }
    return result;
}

RedisReply RedisReply::makeError(const QByteArray &message)
{
    RedisReply result;
    result.type = Type::Error;
    result.string = message;
    return result;
}

namespace {

QString display(const RedisReply &reply, const QString &indent)
{
    switch (reply.type) {
    case RedisReply::Type::Nil:
        return QStringLiteral("(nil)");
    case RedisReply::Type::Status:
        return QString::fromUtf8(reply.string);
    case RedisReply::Type::Error:
        return QStringLiteral("(error) ") + QString::fromUtf8(reply.string);
    case RedisReply::Type::Integer:
        return QStringLiteral("(integer) ") + QString::number(reply.integer);
    case RedisReply::Type::String:
        return QLatin1Char('"') + QString::fromUtf8(reply.string) + QLatin1Char('"');
    case RedisReply::Type::Array:
        break;
    }
    if (reply.elements.isEmpty())
        return QStringLiteral("(empty array)");
    QStringList lines;
    const int width = int(QString::number(reply.elements.size()).size());
    for (qsizetype i = 0; i < reply.elements.size(); ++i) {
        const QString number = QStringLiteral("%1) ").arg(i + 1, width);
        const QString childIndent = indent + QString(number.size(), QLatin1Char(' '));
        lines.append((i == 0 ? QString() : indent) + number + display(reply.elements.at(i), childIndent));
    }
    return lines.join(QLatin1Char('\n'));
}

}

QString RedisReply::toDisplayString() const
{
    return display(*this, QString());
}

}
