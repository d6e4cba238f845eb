#include "studiooptions.h"

#include "redis/redisurl.h"
#include "sim/scenario.h"

#include <QCommandLineParser>

StudioOptions::ParseResult StudioOptions::parse(const QStringList &arguments, StudioOptions *options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fanout Studio: simulate a fleet of fan-out nodes on an in-process broker or on Redis, "
                       "inject failures and account for every message."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QStringLiteral("Run the scenario without a window and exit."));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("Built-in scenario name (%1) or a .json file.")
                                          .arg(fanout::Scenario::builtinNames().join(QLatin1String(", "))),
                                      QStringLiteral("name|file"));
    const QCommandLineOption seconds(QStringLiteral("seconds"),
                                     QStringLiteral("Simulated seconds of traffic (default: the scenario's)."),
                                     QStringLiteral("seconds"));
    const QCommandLineOption report(QStringLiteral("report"),
                                    QStringLiteral("Write the final report as JSON to this file ('-' for stdout)."),
                                    QStringLiteral("file"));
    const QCommandLineOption broker(
        QStringLiteral("broker"),
        QStringLiteral("Run on a real Redis (redis://host:port) instead of the in-process broker."),
        QStringLiteral("url"));
    const QCommandLineOption realTime(QStringLiteral("realtime"),
                                      QStringLiteral("Headless: run at wall-clock speed (always so on Redis)."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window after --seconds of the scenario, save it as PNG and exit."),
        QStringLiteral("file.png"));
    const QCommandLineOption attach(
        QStringLiteral("attach"),
        QStringLiteral("Open the read-only inspector on a Redis (redis://[user:password@]host:port[/db])."),
        QStringLiteral("url"));
    const QCommandLineOption inspect(
        QStringLiteral("inspect"),
        QStringLiteral("Print one read-only inspection of a Redis as JSON (with --json) and exit."),
        QStringLiteral("url"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("With --inspect: JSON on stdout."));
    const QCommandLineOption prefix(
        QStringLiteral("prefix"),
        QStringLiteral("Channel prefix to inspect (default %1).").arg(fanout::NodeConfig::DefaultChannelPrefix),
        QStringLiteral("prefix"));
    parser.addOptions(
        {headless, scenario, seconds, report, broker, realTime, screenshot, attach, inspect, json, prefix});

    const auto error = [](const QString &message) { return ParseResult {Outcome::ExitError, message}; };
    if (!parser.parse(arguments))
        return error(parser.errorText());
    if (parser.isSet(help))
        return {Outcome::ExitOk, parser.helpText()};
    if (parser.isSet(version))
        return {Outcome::ExitOk, QStringLiteral("fanout-studio %1").arg(QStringLiteral(FANOUT_VERSION))};
    if (!parser.positionalArguments().isEmpty())
        return error(QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first()));

    options->headless = parser.isSet(headless);
    options->realTime = parser.isSet(realTime);
    if (parser.isSet(scenario))
        options->scenario = parser.value(scenario);
    if (parser.isSet(seconds)) {
        bool ok = false;
        options->seconds = parser.value(seconds).toDouble(&ok);
        if (!ok || options->seconds <= 0 || options->seconds > 86400)
            return error(
                QStringLiteral("--seconds: \"%1\" is not a duration in seconds (0-86400]").arg(parser.value(seconds)));
    }
    options->reportPath = parser.value(report);
    if (parser.isSet(broker)) {
        QString urlError;
        if (!fanout::RedisUrl::parse(parser.value(broker), &urlError))
            return error(QStringLiteral("--broker: %1").arg(urlError));
        options->broker = parser.value(broker);
    }
    options->screenshotPath = parser.value(screenshot);
    if (parser.isSet(prefix)) {
        options->prefix = parser.value(prefix);
        if (options->prefix.isEmpty())
            return error(QStringLiteral("--prefix: the prefix is empty"));
    }
    for (const auto &[option, target] :
         {std::pair {&attach, &options->attachUrl}, std::pair {&inspect, &options->inspectUrl}}) {
        if (!parser.isSet(*option))
            continue;
        QString urlError;
        if (!fanout::RedisUrl::parse(parser.value(*option), &urlError))
            return error(QStringLiteral("--%1: %2").arg(option->names().first(), urlError));
        *target = parser.value(*option);
    }
    if (!options->inspectUrl.isEmpty() && !parser.isSet(json))
        return error(QStringLiteral("--inspect prints JSON: add --json"));
    if (options->headless && !options->screenshotPath.isEmpty())
        return error(QStringLiteral("--screenshot needs the window: leave out --headless"));
    if (!options->headless && !options->reportPath.isEmpty())
        return error(QStringLiteral("--report is for --headless runs (the window exports reports from its File menu)"));
    return {};
}
