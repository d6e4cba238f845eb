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
    std::optional<QString> readPids(QList<qint64> *target) const;
    std::optional<QString> readIdle(int *idleConnections) const;

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
    const QCommandLineOption pids {QStringLiteral("pids"), QStringLiteral("Comma-separated server pids to measure."),
                                   QStringLiteral("list")};
    const QCommandLineOption label {QStringLiteral("label"), QStringLiteral("A name for this run in the output."),
                                    QStringLiteral("text")};
    const QCommandLineOption idle {QStringLiteral("idle"),
                                   QStringLiteral("Hold this many idle connections to the first URL for --seconds, and "
                                                  "report the server's RSS growth per connection."),
                                   QStringLiteral("n")};
};

BenchCommandLine::BenchCommandLine()
{
    parser.setApplicationDescription(QStringLiteral(
        "Load generator for room mode: clients spread over node URLs, rooms, senders, "
        "an open-loop rate (or closed loop), a payload size. Prints one JSON line: deliveries/s, loss, "
        "duplicates, latency percentiles and the CPU seconds of the server processes given with --pids."));
    parser.addOptions({urls, clients, rooms, senders, rate, payload, seconds, warmup, pids, label, idle});
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
    options->label = parser.value(label);
    return readIdle(&options->idleConnections);
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
