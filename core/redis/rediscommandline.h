#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace fanout {

/// Splits a command line the way redis-cli does: words separated by spaces, "double quotes"
/// with \n \r \t \" \\ and \xHH escapes, 'single quotes' taken literally.
class RedisCommandLine
{
public:
    /// On an unbalanced quote returns nothing and sets *error.
    static std::optional<QList<QByteArray>> split(const QString &line, QString *error);
    /// Whether a console may send it: commands that change how the connection replies
    /// (SUBSCRIBE and kin, MONITOR, CLIENT REPLY, HELLO, RESET, QUIT) would break the one-reply-
    /// per-command contract the connection relies on. Sets *why when not.
    static bool isConsoleSafe(const QList<QByteArray> &args, QString *why);
    /// What a console does with a typed line: the words to send, or nothing, with *answer set
    /// when the line is refused (unbalanced quotes, a reply-changing command) and left empty for
    /// a blank line.
    static std::optional<QList<QByteArray>> forConsole(const QString &line, QString *answer);
};

}
