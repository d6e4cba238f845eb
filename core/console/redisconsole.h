#pragma once

#include "redis/redisreply.h"

#include <QObject>

#include <functional>

namespace fanout {

/// A redis-cli console on a broker: a typed line is split as redis-cli splits it, commands that
/// change how a connection replies are refused, and while writes are not allowed only
/// ReadOnlyCommands pass. Answers come with answered(), printed as redis-cli prints them.
/// Backends: InProcessConsole (the simulation's bus) and RedisServerConsole (a real Redis).
class RedisConsole : public QObject
{
    Q_OBJECT
public:
    using ReplyHandler = std::function<void(const RedisReply &reply)>;

    void execute(const QString &commandLine);
    bool writesAllowed() const { return m_writesAllowed; }
    void setWritesAllowed(bool allowed);
    /// What the console talks to, for a prompt: "in-process" or the Redis URL without password.
    virtual QString target() const = 0;

signals:
    void answered(const QString &commandLine, const QString &answer);
    void writesAllowedChanged(bool allowed);

protected:
    RedisConsole(bool writesAllowed, QObject *parent);
    /// Sends the words of an allowed command; returns false (calling nothing) when the backend
    /// cannot take it now.
    virtual bool send(const QList<QByteArray> &args, ReplyHandler handler) = 0;

private:
    bool m_writesAllowed;
};

}
