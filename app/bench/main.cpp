#include "benchoptions.h"
#include "loadgenerator.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    BenchOptions options;
    const BenchOptions::ParseResult parsed = BenchOptions::parse(app.arguments(), &options);
    if (parsed.outcome == BenchOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == BenchOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-bench: %s\nTry 'fanout-bench --help'.\n", qPrintable(parsed.message));
        return 2;
    }
    LoadGenerator load(options);
    QObject::connect(&load, &LoadGenerator::finished, &app, [](const QJsonObject &result) {
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QCoreApplication::exit(0);
    });
    QObject::connect(&load, &LoadGenerator::failed, &app, [](const QString &message) {
        std::fprintf(stderr, "fanout-bench: %s\n", qPrintable(message));
        QCoreApplication::exit(1);
    });
    load.start();
    return app.exec();
}
