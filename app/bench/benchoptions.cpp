#include "benchoptions.h"

#include <QCommandLineParser>

#include <algorithm>
#include <functional>
#include <optional>

namespace {

/// fanout-bench's options on their parser, which lists them in this order in --help.
struct BenchCommandLine {
    BenchCommandLine();

    /// Reads the values into options; the fault of the first bad one.
    std::optional<QString> read(BenchOptions *options) const;

    std::optional<QString> readUrls(QList<QUrl> *target) const;
    std::optional<QString> readNumbers(BenchOptions *options) const;
    std::optional<QString> readProtocol(BenchOptions *options) const;
    std::optional<QString> readPids(QList<qint64> *target) const;
    std::optional<QString> readIdle(int *idleConnections) const;
    std::optional<QString> readPresence(BenchOptions *options) const;

    QCommandLineParser parser;
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption urls {QStringLiteral("urls"), QStringLiteral("Comma-separated ws:// node URLs."),
                                   QStringLiteral("list")};
    const QCommandLineOption clients {QStringLiteral("clients"), QStringLiteral("Clients (300)."), QStringLiteral("n"),
                                      QStringLiteral("300")};
    const QCommandLineOption rooms {QStringLiteral("rooms"), QStringLiteral("Rooms (30)."), QStringLiteral("n"),
                                    QStringLiteral("30")};
    const QCommandLineOption senders {QStringLiteral("senders"), QStringLiteral("Sending clients (30)."),
                                      QStringLiteral("n"), QStringLiteral("30")};
    const QCommandLineOption rate {QStringLiteral("rate"),
                                   QStringLiteral("Publishes per second, open loop (3000); 0 for closed loop."),
                                   QStringLiteral("n"), QStringLiteral("3000")};
    const QCommandLineOption payload {QStringLiteral("payload"), QStringLiteral("Payload bytes (64)."),
                                      QStringLiteral("bytes"), QStringLiteral("64")};
    const QCommandLineOption seconds {QStringLiteral("seconds"), QStringLiteral("Measured seconds (10)."),
                                      QStringLiteral("s"), QStringLiteral("10")};
    const QCommandLineOption warmup {QStringLiteral("warmup"), QStringLiteral("Unmeasured seconds first (1)."),
                                     QStringLiteral("s"), QStringLiteral("1")};
    const QCommandLineOption threads {
        QStringLiteral("threads"),
        QStringLiteral("Threads the clients are spread over, each with its own event loop, client i on thread "
                       "i % n, in load and idle modes (1). Use more when the output says the bench was the limit "
                       "(bench_limited)."),
        QStringLiteral("n"), QStringLiteral("1")};
    const QCommandLineOption pids {QStringLiteral("pids"), QStringLiteral("Comma-separated server pids to measure."),
                                   QStringLiteral("list")};
    const QCommandLineOption roomPrefix {QStringLiteral("room-prefix"),
                                         QStringLiteral("Rooms are PREFIX0, PREFIX1... (bench-); idle connections "
                                                        "beside a load want rooms of their own."),
                                         QStringLiteral("prefix"), QStringLiteral("bench-")};
    const QCommandLineOption label {QStringLiteral("label"), QStringLiteral("A name for this run in the output."),
                                    QStringLiteral("text")};
    const QCommandLineOption idle {QStringLiteral("idle"),
                                   QStringLiteral("Hold this many idle connections to the first URL for --seconds, and "
                                                  "report the server's RSS growth per connection."),
                                   QStringLiteral("n")};
    const QCommandLineOption presenceUsers {
        QStringLiteral("presence-users"),
        QStringLiteral("Presence mode: this many users u0, u1, ..., one connection each, round-robin over --urls, "
                       "all in one room; then the presence query's round trip and, with --redis, the Redis "
                       "commands of presence refresh over --seconds idle."),
        QStringLiteral("n"), QStringLiteral("0")};
    const QCommandLineOption presenceQueries {QStringLiteral("presence-queries"),
                                              QStringLiteral("Presence queries, one at a time (200)."),
                                              QStringLiteral("n"), QStringLiteral("200")};
    const QCommandLineOption presenceAskers {QStringLiteral("presence-askers"),
                                             QStringLiteral("Users per node that send the queries, in turn (2)."),
                                             QStringLiteral("n"), QStringLiteral("2")};
    const QCommandLineOption presenceTtl {QStringLiteral("presence-ttl"),
                                          QStringLiteral("The nodes' --presence-ttl, to report the refresh cost "
                                                         "per refresh period (a third of it) (60)."),
                                          QStringLiteral("s"), QStringLiteral("60")};
    const QCommandLineOption tokenSecret {
        QStringLiteral("token-secret"),
        QStringLiteral("The nodes' token secret: users present signed tokens, and all but the askers connect in "
                       "room mode (?token=), which receives no join events."),
        QStringLiteral("secret")};
    const QCommandLineOption redis {QStringLiteral("redis"),
                                    QStringLiteral("redis://host:port of the nodes' Redis, to read INFO commandstats."),
                                    QStringLiteral("url")};
    const QCommandLineOption protocol {
        QStringLiteral("protocol"),
        QStringLiteral("room: clients connect to /?room=R and send bare payloads (default); typed: clients connect "
                       "to /rooms, join their room and send message frames."),
        QStringLiteral("room|typed"), QStringLiteral("room")};
    const QCommandLineOption reconnect {
        QStringLiteral("reconnect"),
        QStringLiteral("A client whose connection is lost connects again to the next URL after 200 ms; a typed "
                       "client resumes its room with since and sends again what never came back. Prints "
                       "lost_by_reason, unsent, resent and reconnects.")};
    const QCommandLineOption lossLog {QStringLiteral("loss-log"),
                                      QStringLiteral("Write each lost delivery as a line \"<publish time in ms since "
                                                     "the epoch> <reason>\" to this file."),
                                      QStringLiteral("file")};
};

BenchCommandLine::BenchCommandLine()
{
    parser.setApplicationDescription(QStringLiteral(
        "Load generator: clients spread over node URLs and rooms (client i in room i % R, on "
        "node (i % R + i / R) % N, so every room of N or more members spans every node), senders, an open-loop "
        "rate (or closed loop), a payload size. Prints one JSON line: deliveries/s, nodes per publish, loss, "
        "duplicates, latency percentiles, the CPU seconds of the server processes given with --pids, and "
        "whether the bench itself kept up. "
        "With --presence-users: presence mode, the round trip of presence queries in one room of N users "
        "and, with --redis, the Redis commands that presence refresh costs."));
    parser.addOptions({urls,    clients,       rooms,           senders,        rate,        payload,
                       seconds, warmup,        threads,         pids,           label,       roomPrefix,
                       idle,    presenceUsers, presenceQueries, presenceAskers, presenceTtl, tokenSecret,
                       redis,   protocol,      reconnect,       lossLog});
}

std::optional<QString> BenchCommandLine::read(BenchOptions *options) const
{
    if (std::optional<QString> fault = readUrls(&options->urls))
        return fault;
    if (std::optional<QString> fault = readNumbers(options))
        return fault;
    options->senders = std::min(options->senders, options->clients);
    if (std::optional<QString> fault = readPids(&options->pids))
        return fault;
    if (std::optional<QString> fault = readProtocol(options))
        return fault;
    options->label = parser.value(label);
    options->roomPrefix = parser.value(roomPrefix);
    if (std::optional<QString> fault = readIdle(&options->idleConnections))
        return fault;
    return readPresence(options);
}

std::optional<QString> BenchCommandLine::readUrls(QList<QUrl> *target) const
{
    for (const QString &text : parser.value(urls).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QUrl url(text.trimmed());
        if (!url.isValid() || (url.scheme() != QLatin1String("ws")))
            return QStringLiteral("--urls: \"%1\" is not a ws:// URL").arg(text);
        target->append(url);
    }
    if (target->isEmpty())
        return QStringLiteral("--urls: give at least one ws:// node URL");
    return std::nullopt;
}

/// The numeric options, each within its range; the first one out of it is the fault.
std::optional<QString> BenchCommandLine::readNumbers(BenchOptions *options) const
{
    const struct {
        const QCommandLineOption *option;
        double minimum, maximum;
        std::function<void(double)> store;
    } fields[] = {
        {&clients, 1, 200000, [&](double v) { options->clients = int(v); }},
        {&rooms, 1, 100000, [&](double v) { options->rooms = int(v); }},
        {&senders, 0, 200000, [&](double v) { options->senders = int(v); }},
        {&rate, 0, 10000000, [&](double v) { options->rate = v; }},
        {&payload, 16, 1 << 20, [&](double v) { options->payloadBytes = int(v); }},
        {&seconds, 0.1, 3600, [&](double v) { options->seconds = v; }},
        {&warmup, 0, 600, [&](double v) { options->warmupSeconds = v; }},
        {&threads, 1, 64, [&](double v) { options->threads = int(v); }},
        {&presenceUsers, 0, 200000, [&](double v) { options->presenceUsers = int(v); }},
        {&presenceQueries, 1, 1000000, [&](double v) { options->presenceQueries = int(v); }},
        {&presenceAskers, 1, 1000, [&](double v) { options->presenceAskers = int(v); }},
        {&presenceTtl, 1, 86400, [&](double v) { options->presenceTtlSeconds = v; }},
    };
    for (const auto &field : fields) {
        bool ok = false;
        const double value = parser.value(*field.option).toDouble(&ok);
        if (!ok || value < field.minimum || value > field.maximum)
            return QStringLiteral("--%1: \"%2\" is not a number in [%3, %4]")
                .arg(field.option->names().first(), parser.value(*field.option))
                .arg(field.minimum)
                .arg(field.maximum);
        field.store(value);
    }
    return std::nullopt;
}

std::optional<QString> BenchCommandLine::readProtocol(BenchOptions *options) const
{
    const QString name = parser.value(protocol);
    if (name == QLatin1String("typed"))
        options->protocol = BenchFrames::Protocol::Typed;
    else if (name != QLatin1String("room"))
        return QStringLiteral("--protocol: \"%1\" is neither room nor typed").arg(name);
    options->reconnect = parser.isSet(reconnect);
    options->lossLog = parser.value(lossLog);
    return std::nullopt;
}

std::optional<QString> BenchCommandLine::readPids(QList<qint64> *target) const
{
    for (const QString &text : parser.value(pids).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 pid = text.trimmed().toLongLong(&ok);
        if (!ok || pid <= 0)
            return QStringLiteral("--pids: \"%1\" is not a process id").arg(text);
        target->append(pid);
    }
    return std::nullopt;
}

std::optional<QString> BenchCommandLine::readIdle(int *idleConnections) const
{
    if (!parser.isSet(idle))
        return std::nullopt;
    bool ok = false;
    *idleConnections = parser.value(idle).toInt(&ok);
    if (!ok || *idleConnections <= 0)
        return QStringLiteral("--idle: \"%1\" is not a positive count").arg(parser.value(idle));
    return std::nullopt;
}

std::optional<QString> BenchCommandLine::readPresence(BenchOptions *options) const
{
    options->tokenSecret = parser.value(tokenSecret).toUtf8();
    if (parser.isSet(redis)) {
        QString error;
        options->redis = fanout::RedisUrl::parse(parser.value(redis), &error);
        if (!options->redis)
            return QStringLiteral("--redis: %1").arg(error);
    }
    if (options->presenceUsers > 0 && options->idleConnections > 0)
        return QStringLiteral("--presence-users and --idle are two modes: give one");
    const qsizetype askers = qsizetype(options->presenceAskers) * options->urls.size();
    if (options->presenceUsers > 0 && options->presenceUsers < askers)
        return QStringLiteral("--presence-users: %1 users cannot hold %2 askers (--presence-askers per URL)")
            .arg(options->presenceUsers)
            .arg(askers);
    return std::nullopt;
}

}

BenchOptions::ParseResult BenchOptions::parse(const QStringList &arguments, BenchOptions *options)
{
    BenchCommandLine commandLine;
    if (!commandLine.parser.parse(arguments))
        return {Outcome::ExitError, commandLine.parser.errorText()};
    if (commandLine.parser.isSet(commandLine.help))
        return {Outcome::ExitOk, commandLine.parser.helpText()};
    if (std::optional<QString> fault = commandLine.read(options))
        return {Outcome::ExitError, *fault};
    return {};
}
