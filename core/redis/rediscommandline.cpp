#include "rediscommandline.h"

namespace fanout {

std::optional<QList<QByteArray>> RedisCommandLine::split(const QString &line, QString *error)
{
    const QByteArray text = line.toUtf8();
    QList<QByteArray> words;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (true) {
        while (i < n && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (i >= n)
            return words;
        QByteArray word;
        const char quote = (text[i] == '"' || text[i] == '\'') ? text[i] : 0;
        if (quote)
            ++i;
        bool closed = !quote;
        while (i < n) {
            const char c = text[i];
            if (quote && c == quote) {
                closed = true;
                ++i;
                break;
            }
            if (!quote && (c == ' ' || c == '\t'))
                break;
            if (quote == '"' && c == '\\' && i + 1 < n) {
                const char e = text[i + 1];
                if (e == 'x' && i + 3 < n && std::isxdigit(uchar(text[i + 2])) && std::isxdigit(uchar(text[i + 3]))) {
                    word.append(char(text.mid(i + 2, 2).toInt(nullptr, 16)));
                    i += 4;
                    continue;
                }
                word.append(e == 'n'       ? '\n'
                                : e == 'r' ? '\r'
                                : e == 't' ? '\t'
                                : e == 'b' ? '\b'
                                : e == 'a' ? '\a'
                                           : e);
                i += 2;
                continue;
            }
            if (quote == '\'' && c == '\\' && i + 1 < n && text[i + 1] == '\'') {
                word.append('\'');
                i += 2;
                continue;
            }
            word.append(c);
            ++i;
        }
        if (!closed) {
            *error = QStringLiteral("Invalid argument(s): unbalanced quotes");
            return std::nullopt;
        }
        if (quote && i < n && text[i] != ' ' && text[i] != '\t') {
            *error = QStringLiteral("Invalid argument(s): a closing quote must be followed by a space");
            return std::nullopt;
        }
        words.append(word);
    }
}

bool RedisCommandLine::isConsoleSafe(const QList<QByteArray> &args, QString *why)
{
    if (args.isEmpty())
        return true;
    static const QList<QByteArray> modal {"SUBSCRIBE",    "PSUBSCRIBE",   "SSUBSCRIBE", "UNSUBSCRIBE",
                                          "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",    "HELLO",
                                          "RESET",        "QUIT",         "SYNC",       "PSYNC"};
    const QByteArray command = args.first().toUpper();
    const bool clientReply = command == "CLIENT" && args.size() > 1 && args.at(1).toUpper() == "REPLY";
    if (!modal.contains(command) && !clientReply)
        return true;
    *why = QStringLiteral("(error) %1 changes how this connection replies: use redis-cli for it")
               .arg(QString::fromUtf8(clientReply ? QByteArray("CLIENT REPLY") : command));
    return false;
}

std::optional<QList<QByteArray>> RedisCommandLine::forConsole(const QString &line, QString *answer)
{
    std::optional<QList<QByteArray>> args = split(line, answer);
    if (!args || args->isEmpty() || !isConsoleSafe(*args, answer))
        return std::nullopt;
    return args;
}

}
