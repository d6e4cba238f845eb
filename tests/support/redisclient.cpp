#include "redisclient.h"

#include <QEventLoop>
#include <QSignalSpy>
#include <QTimer>

RedisClient::RedisClient(const fanout::RedisUrl &url, const QString &name)
    : m_connection(url, name, fanout::RedisConnection::Mode::Command)
{ }

bool RedisClient::open(int timeoutMs)
{
    QSignalSpy ready(&m_connection, &fanout::RedisConnection::ready);
    m_connection.open();
    return m_connection.isReady() || ready.wait(timeoutMs);
}

fanout::RedisReply RedisClient::command(const QList<QByteArray> &args, int timeoutMs)
{
    if (!m_connection.isReady() && !open(timeoutMs))
        return fanout::RedisReply::makeError("test client: not connected");
    fanout::RedisReply result = fanout::RedisReply::makeError("test client: timed out");
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    const bool sent = m_connection.send(args, [&](const fanout::RedisReply &reply) {
        result = reply;
        loop.quit();
    });
    if (sent)
        loop.exec();
    return result;
}

QStringList RedisClient::channels(const QByteArray &pattern)
{
    QStringList result;
    for (const auto &element : command({"PUBSUB", "CHANNELS", pattern}).elements)
        result.append(QString::fromUtf8(element.string));
    result.sort();
    return result;
}

qint64 RedisClient::numsub(const QByteArray &channel)
{
    const fanout::RedisReply reply = command({"PUBSUB", "NUMSUB", channel});
    return reply.elements.size() == 2 ? reply.elements.at(1).integer : -1;
}

qint64 RedisClient::publish(const QByteArray &channel, const QByteArray &message)
{
    const fanout::RedisReply reply = command({"PUBLISH", channel, message});
    return reply.type == fanout::RedisReply::Type::Integer ? reply.integer : -1;
}

QStringList RedisClient::clientNames()
{
    QStringList names;
    const QString list = QString::fromUtf8(command({"CLIENT", "LIST"}).string);
    for (const QString &line : list.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        for (const QString &field : line.split(QLatin1Char(' '))) {
            if (field.startsWith(QLatin1String("name="))) {
                const QString name = field.mid(5);
                if (!name.isEmpty() && name != m_connection.clientName())
                    names.append(name);
            }
        }
    }
    names.sort();
    return names;
}
