#include "commandstats.h"

#include <QList>

std::optional<CommandStats> CommandStats::parse(QByteArrayView info)
{
    CommandStats stats;
    // cmdstat_evalsha:calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0
    for (const QByteArray &line : info.toByteArray().split('\n')) {
        if (!line.startsWith("cmdstat_"))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        Command command;
        for (const QByteArray &field : line.mid(colon + 1).trimmed().split(',')) {
            if (field.startsWith("calls="))
                command.calls = field.mid(6).toLongLong();
            else if (field.startsWith("usec="))
                command.usec = field.mid(5).toLongLong();
        }
        stats.commands.insert(QString::fromLatin1(line.mid(8, colon - 8)), command);
    }
    if (stats.commands.isEmpty())
        return std::nullopt;
    return stats;
}

CommandStats CommandStats::since(const CommandStats &before) const
{
    CommandStats delta;
    for (auto command = commands.cbegin(); command != commands.cend(); ++command) {
        if (command.key() == QLatin1String("info"))
            continue;
        const Command earlier = before.command(command.key());
        const Command difference {command->calls - earlier.calls, command->usec - earlier.usec};
        if (difference.calls > 0)
            delta.commands.insert(command.key(), difference);
    }
    return delta;
}

qint64 CommandStats::totalCalls() const
{
    qint64 total = 0;
    for (const Command &command : commands)
        total += command.calls;
    return total;
}

QJsonObject CommandStats::callsByName() const
{
    QJsonObject calls;
    for (auto command = commands.cbegin(); command != commands.cend(); ++command)
        calls.insert(command.key(), double(command->calls));
    return calls;
}
