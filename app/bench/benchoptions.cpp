#include "benchoptions.h"

#include <QCommandLineParser>

BenchOptions::ParseResult BenchOptions::parse(const QStringList &arguments, BenchOptions *options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Load generator for room mode: clients spread over node URLs, rooms, senders, "
        "an open-loop rate (or closed loop), a payload size. Prints one JSON line: deliveries/s, loss, "
        "duplicates, latency percentiles and the CPU seconds of the server processes given with --pids."));
    parser.addHelpOption();
    const QCommandLineOption urls(QStringLiteral("urls"), QStringLiteral("Comma-separated ws:// node URLs."),
                                  QStringLiteral("list"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Clients (300)."), QStringLiteral("n"),
                                     QStringLiteral("300"));
    const QCommandLineOption rooms(QStringLiteral("rooms"), QStringLiteral("Rooms (30)."), QStringLiteral("n"),
                                   QStringLiteral("30"));
    const QCommandLineOption senders(QStringLiteral("senders"), QStringLiteral("Sending clients (30)."),
                                     QStringLiteral("n"), QStringLiteral("30"));
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Publishes per second, open loop (3000); 0 for closed loop."),
                                  QStringLiteral("n"), QStringLiteral("3000"));
    const QCommandLineOption payload(QStringLiteral("payload"), QStringLiteral("Payload bytes (64)."),
                                     QStringLiteral("bytes"), QStringLiteral("64"));
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Measured seconds (10)."),
                                     QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption warmup(QStringLiteral("warmup"), QStringLiteral("Unmeasured seconds first (1)."),
                                    QStringLiteral("s"), QStringLiteral("1"));
    const QCommandLineOption pids(QStringLiteral("pids"), QStringLiteral("Comma-separated server pids to measure."),
                                  QStringLiteral("list"));
    const QCommandLineOption label(QStringLiteral("label"), QStringLiteral("A name for this run in the output."),
                                   QStringLiteral("text"));
    const QCommandLineOption idle(QStringLiteral("idle"),
                                  QStringLiteral("Hold this many idle connections to the first URL for --seconds, and "
                                                 "report the server's RSS growth per connection."),
                                  QStringLiteral("n"));
    parser.addOptions({urls, clients, rooms, senders, rate, payload, seconds, warmup, pids, label, idle});

    const auto error = [](const QString &message) { return ParseResult {Outcome::ExitError, message}; };
    if (!parser.parse(arguments))
        return error(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        return {Outcome::ExitOk, parser.helpText()};
    for (const QString &text : parser.value(urls).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QUrl url(text.trimmed());
        if (!url.isValid() || (url.scheme() != QLatin1String("ws")))
            return error(QStringLiteral("--urls: \"%1\" is not a ws:// URL").arg(text));
        options->urls.append(url);
    }
    if (options->urls.isEmpty())
        return error(QStringLiteral("--urls: give at least one ws:// node URL"));
    const auto number = [&](const QCommandLineOption &option, double minimum, double maximum, double *target) -> bool {
        bool ok = false;
        const double value = parser.value(option).toDouble(&ok);
        if (!ok || value < minimum || value > maximum)
            return false;
        *target = value;
        return true;
    };
    double value = 0;
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
        if (!number(*field.option, field.minimum, field.maximum, &value))
            return error(QStringLiteral("--%1: \"%2\" is not a number in [%3, %4]")
                             .arg(field.option->names().first(), parser.value(*field.option))
                             .arg(field.minimum)
                             .arg(field.maximum));
        field.store(value);
    }
    options->senders = std::min(options->senders, options->clients);
    for (const QString &text : parser.value(pids).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 pid = text.trimmed().toLongLong(&ok);
        if (!ok || pid <= 0)
            return error(QStringLiteral("--pids: \"%1\" is not a process id").arg(text));
        options->pids.append(pid);
    }
    options->label = parser.value(label);
    if (parser.isSet(idle)) {
        bool ok = false;
        options->idleConnections = parser.value(idle).toInt(&ok);
        if (!ok || options->idleConnections <= 0)
            return error(QStringLiteral("--idle: \"%1\" is not a positive count").arg(parser.value(idle)));
    }
    return {};
}
