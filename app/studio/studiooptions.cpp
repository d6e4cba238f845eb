#include "studiooptions.h"

#include "redis/redisurl.h"
#include "sim/scenario.h"

#include <QCommandLineParser>

#include <algorithm>
#include <optional>

namespace {

using Outcome = StudioOptions::Outcome;
using ParseResult = StudioOptions::ParseResult;

/// fanout-studio's options on their parser, which lists them in this order in --help.
struct StudioCommandLine {
    StudioCommandLine();

    /// The way out when the arguments do not parse or ask for the help or the version.
    std::optional<ParseResult> parse(const QStringList &arguments);
    /// Reads the values into options; the fault of the first bad one.
    std::optional<QString> read(StudioOptions *options) const;
    /// The fault of options that make sense alone but not together.
    std::optional<QString> checkCombinations(const StudioOptions &options) const;

    std::optional<QString> readSeconds(double *target) const;
    std::optional<QString> readSize(QSize *target) const;
    std::optional<QString> readPrefix(QString *target) const;
    std::optional<QString> readRedisUrl(const QCommandLineOption &option, QString *url) const;
    std::optional<QString> readRedisTls() const;

    QCommandLineParser parser;
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption headless {QStringLiteral("headless"),
                                       QStringLiteral("Run the scenario without a window and exit.")};
    const QCommandLineOption scenario {
        QStringLiteral("scenario"),
        QStringLiteral("Built-in scenario name (%1; --list-scenarios says what each shows) or a .json file.")
            .arg(fanout::Scenario::builtinNames().join(QLatin1String(", "))),
        QStringLiteral("name|file")};
    const QCommandLineOption listScenarios {QStringLiteral("list-scenarios"),
                                            QStringLiteral("List the built-in scenarios, one line each, and exit.")};
    const QCommandLineOption seconds {QStringLiteral("seconds"),
                                      QStringLiteral("Simulated seconds of traffic (default: the scenario's)."),
                                      QStringLiteral("seconds")};
    const QCommandLineOption report {QStringLiteral("report"),
                                     QStringLiteral("Write the final report as JSON to this file ('-' for stdout)."),
                                     QStringLiteral("file")};
    const QCommandLineOption broker {
        QStringLiteral("broker"),
        QStringLiteral("Run on a real Redis (redis://host:port, rediss:// for TLS, "
                       "redis+sentinel://host:port[,host:port...]/MASTER) instead of the in-process broker."),
        QStringLiteral("url")};
    const QCommandLineOption realTime {QStringLiteral("realtime"),
                                       QStringLiteral("Headless: run at wall-clock speed (always so on Redis).")};
    const QCommandLineOption screenshot {
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window after --seconds of the scenario, save it as PNG and exit."),
        QStringLiteral("file.png")};
    const QCommandLineOption size {QStringLiteral("size"),
                                   QStringLiteral("With --screenshot: the window's size (default 1600x1000)."),
                                   QStringLiteral("WIDTHxHEIGHT")};
    const QCommandLineOption attach {
        QStringLiteral("attach"),
        QStringLiteral("Open the read-only inspector on a Redis (redis[s]://[user:password@]host:port[/db])."),
        QStringLiteral("url")};
    const QCommandLineOption inspect {
        QStringLiteral("inspect"),
        QStringLiteral("Print one read-only inspection of a Redis (nodes and their state, rooms, rates, drift) "
                       "and exit."),
        QStringLiteral("url")};
    const QCommandLineOption json {QStringLiteral("json"),
                                   QStringLiteral("With --inspect: the whole snapshot as JSON, for machines.")};
    const QCommandLineOption redisCa {
        QStringLiteral("redis-ca"),
        QStringLiteral("rediss://: PEM file of the CAs a Redis server's certificate must chain to (default the "
                       "system's)."),
        QStringLiteral("file")};
    const QCommandLineOption redisCert {QStringLiteral("redis-cert"),
                                        QStringLiteral("rediss://: PEM client certificate, with --redis-key."),
                                        QStringLiteral("file")};
    const QCommandLineOption redisKey {QStringLiteral("redis-key"),
                                       QStringLiteral("rediss://: PEM private key of --redis-cert, unencrypted."),
                                       QStringLiteral("file")};
    const QCommandLineOption prefix {
        QStringLiteral("prefix"),
        QStringLiteral("Channel prefix to inspect (default %1).").arg(fanout::NodeConfig::DefaultChannelPrefix),
        QStringLiteral("prefix")};
};

StudioCommandLine::StudioCommandLine()
{
    parser.setApplicationDescription(
        QStringLiteral("Fanout Studio: simulate a fleet of fan-out nodes on an in-process broker or on Redis, "
                       "inject failures and account for every message."));
    parser.addOptions({headless, scenario, listScenarios, seconds, report, broker, realTime, screenshot, size, attach,
                       inspect, json, redisCa, redisCert, redisKey, prefix});
}

/// Each built-in scenario's name and summary, aligned.
QString scenarioList()
{
    const QStringList names = fanout::Scenario::builtinNames();
    qsizetype width = 0;
    for (const QString &name : names)
        width = std::max(width, name.size());
    QStringList lines;
    for (const QString &name : names) {
        QString error;
        const std::optional<fanout::Scenario> scenario = fanout::Scenario::load(name, &error);
        lines.append(QStringLiteral("%1  %2").arg(name.leftJustified(width), scenario ? scenario->summary : error));
    }
    return lines.join(QLatin1Char('\n'));
}

std::optional<ParseResult> StudioCommandLine::parse(const QStringList &arguments)
{
    if (!parser.parse(arguments))
        return ParseResult {Outcome::ExitError, parser.errorText()};
    if (parser.isSet(help)) {
        // Qt takes the program's name from the application object, which the studio creates only
        // once the options say which one (with widgets or not): until then it writes a placeholder.
        QString text = parser.helpText();
        text.replace(QLatin1String("<executable_name>"), arguments.value(0, QStringLiteral("fanout-studio")));
        return ParseResult {Outcome::ExitOk, text.trimmed()};
    }
    if (parser.isSet(version))
        return ParseResult {Outcome::ExitOk, QStringLiteral("fanout-studio %1").arg(QStringLiteral(FANOUT_VERSION))};
    if (!parser.positionalArguments().isEmpty())
        return ParseResult {Outcome::ExitError,
                            QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first())};
    if (parser.isSet(listScenarios))
        return ParseResult {Outcome::ExitOk, scenarioList()};
    return std::nullopt;
}

std::optional<QString> StudioCommandLine::read(StudioOptions *options) const
{
    options->headless = parser.isSet(headless);
    options->json = parser.isSet(json);
    options->realTime = parser.isSet(realTime);
    if (parser.isSet(scenario))
        options->scenario = parser.value(scenario);
    if (std::optional<QString> fault = readSeconds(&options->seconds))
        return fault;
    options->reportPath = parser.value(report);
    if (std::optional<QString> fault = readRedisUrl(broker, &options->broker))
        return fault;
    options->screenshotPath = parser.value(screenshot);
    if (std::optional<QString> fault = readSize(&options->screenshotSize))
        return fault;
    if (std::optional<QString> fault = readPrefix(&options->prefix))
        return fault;
    if (std::optional<QString> fault = readRedisUrl(attach, &options->attachUrl))
        return fault;
    if (std::optional<QString> fault = readRedisUrl(inspect, &options->inspectUrl))
        return fault;
    return readRedisTls();
}

std::optional<QString> StudioCommandLine::checkCombinations(const StudioOptions &options) const
{
    if (options.json && options.inspectUrl.isEmpty())
        return QStringLiteral("--json goes with --inspect");
    if (options.headless && !options.screenshotPath.isEmpty())
        return QStringLiteral("--screenshot needs the window: leave out --headless");
    if (parser.isSet(size) && options.screenshotPath.isEmpty())
        return QStringLiteral("--size goes with --screenshot");
    if (!options.headless && !options.reportPath.isEmpty())
        return QStringLiteral("--report is for --headless runs (the window exports reports from its File menu)");
    return std::nullopt;
}

std::optional<QString> StudioCommandLine::readSeconds(double *target) const
{
    if (!parser.isSet(seconds))
        return std::nullopt;
    bool ok = false;
    *target = parser.value(seconds).toDouble(&ok);
    if (!ok || *target <= 0 || *target > 86400)
        return QStringLiteral("--seconds: \"%1\" is not a duration in seconds (0-86400]").arg(parser.value(seconds));
    return std::nullopt;
}

std::optional<QString> StudioCommandLine::readSize(QSize *target) const
{
    if (!parser.isSet(size))
        return std::nullopt;
    const QStringList parts = parser.value(size).split(QLatin1Char('x'));
    bool widthOk = false;
    bool heightOk = false;
    const int width = parts.value(0).toInt(&widthOk);
    const int height = parts.value(1).toInt(&heightOk);
    if (parts.size() != 2 || !widthOk || !heightOk || width < 320 || height < 240 || width > 8192 || height > 8192)
        return QStringLiteral("--size: \"%1\" is not WIDTHxHEIGHT in pixels (320x240 to 8192x8192)")
            .arg(parser.value(size));
    *target = QSize(width, height);
    return std::nullopt;
}

std::optional<QString> StudioCommandLine::readPrefix(QString *target) const
{
    if (!parser.isSet(prefix))
        return std::nullopt;
    *target = parser.value(prefix);
    if (target->isEmpty())
        return QStringLiteral("--prefix: the prefix is empty");
    return std::nullopt;
}

/// Takes the option's value only when it is a Redis URL.
std::optional<QString> StudioCommandLine::readRedisUrl(const QCommandLineOption &option, QString *url) const
{
    if (!parser.isSet(option))
        return std::nullopt;
    QString urlError;
    if (!fanout::RedisUrl::parse(parser.value(option), &urlError))
        return QStringLiteral("--%1: %2").arg(option.names().first(), urlError);
    *url = parser.value(option);
    return std::nullopt;
}

/// The studio hands its Redis URLs around as text (the simulation, the Fleet dialog, File > Attach,
/// the inspector), so its TLS files become the settings every rediss:// URL it parses starts with.
std::optional<QString> StudioCommandLine::readRedisTls() const
{
    const fanout::RedisTls::Files files {parser.value(redisCa), parser.value(redisCert), parser.value(redisKey)};
    if (files.isEmpty())
        return std::nullopt;
    QString error;
    const std::optional<fanout::RedisTls> tls = fanout::RedisTls::load(files, &error);
    if (!tls)
        return QStringLiteral("--redis-ca/--redis-cert/--redis-key: %1").arg(error);
    fanout::RedisTls::setDefaults(*tls);
    return std::nullopt;
}

}

StudioOptions::ParseResult StudioOptions::parse(const QStringList &arguments, StudioOptions *options)
{
    StudioCommandLine commandLine;
    if (std::optional<ParseResult> early = commandLine.parse(arguments))
        return *early;
    std::optional<QString> fault = commandLine.read(options);
    if (!fault)
        fault = commandLine.checkCombinations(*options);
    if (fault)
        return {Outcome::ExitError, *fault};
    return {};
}
