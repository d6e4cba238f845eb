#include "headlessrunner.h"
#include "studiooptions.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fanout-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FANOUT_VERSION));

    StudioOptions options;
    const StudioOptions::ParseResult parsed = StudioOptions::parse(app.arguments(), &options);
    if (parsed.outcome == StudioOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == StudioOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-studio: %s\nTry 'fanout-studio --help'.\n", qPrintable(parsed.message));
        return 2;
    }
    HeadlessRunner runner;
    const int early = runner.start(options);
    return early >= 0 ? early : app.exec();
}
