#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <optional>

/// Redis's `INFO commandstats`: calls and microseconds per command since the server started.
/// Commands that Lua scripts run count under their own names as well as inside their
/// EVALSHA's time.
struct CommandStats {
    struct Command {
        qint64 calls = 0;
        qint64 usec = 0;
    };
    QHash<QString, Command> commands; ///< by name as INFO spells it, e.g. "evalsha", "client|setname"

    /// Parses the reply's text; nothing when it holds no `cmdstat_` line.
    static std::optional<CommandStats> parse(QByteArrayView info);
    /// What ran between `before` and this, without the INFO commands that read them.
    CommandStats since(const CommandStats &before) const;
    qint64 totalCalls() const;
    Command command(const QString &name) const { return commands.value(name); }
    /// {"name": calls, ...}
    QJsonObject callsByName() const;
};
