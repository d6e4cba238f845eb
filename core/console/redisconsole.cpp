#include "redisconsole.h"

#include "redis/readonlycommands.h"
#include "redis/rediscommandline.h"

#include <QPointer>

namespace fanout {

RedisConsole::RedisConsole(bool writesAllowed, QObject *parent) : QObject(parent), m_writesAllowed(writesAllowed)
{ }

void RedisConsole::setWritesAllowed(bool allowed)
{
    if (allowed == m_writesAllowed)
        return;
    m_writesAllowed = allowed;
    emit writesAllowedChanged(allowed);
}

void RedisConsole::execute(const QString &commandLine)
{
    QString refusal;
    const auto args = RedisCommandLine::forConsole(commandLine, &refusal);
    if (!args) {
        if (!refusal.isEmpty())
            emit answered(commandLine, refusal);
        return;
    }
    if (!m_writesAllowed && !ReadOnlyCommands::isAllowed(*args)) {
        emit answered(commandLine, RedisReply::makeError(ReadOnlyCommands::refusal()).toDisplayString());
        return;
    }
    // The connection may outlive the console and answer after it is gone.
    const bool sent = send(*args, [console = QPointer<RedisConsole>(this), commandLine](const RedisReply &reply) {
        if (console)
            emit console->answered(commandLine, reply.toDisplayString());
    });
    if (!sent)
        emit answered(commandLine, QStringLiteral("(error) not connected to %1").arg(target()));
}

}
