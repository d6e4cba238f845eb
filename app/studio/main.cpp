#include "headlessrunner.h"
#include "inspectorwindow.h"
#include "inspectrunner.h"
#include "mainwindow.h"
#include "screenshotrunner.h"
#include "studiooptions.h"

#include <QApplication>
#include <QMessageBox>
#include <QSettings>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QCoreApplication::setOrganizationName(QStringLiteral("FanoutStudio"));
    QCoreApplication::setApplicationName(QStringLiteral("fanout-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FANOUT_VERSION));

    StudioOptions options;
    const StudioOptions::ParseResult parsed = StudioOptions::parse(arguments, &options);
    if (parsed.outcome == StudioOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == StudioOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-studio: %s\nTry 'fanout-studio --help'.\n", qPrintable(parsed.message));
        return 2;
    }

    if (!options.inspectUrl.isEmpty()) {
        QCoreApplication app(argc, argv);
        InspectRunner runner;
        const int early = runner.start(options);
        return early >= 0 ? early : app.exec();
    }

    if (options.headless) {
        QCoreApplication app(argc, argv);
        HeadlessRunner runner;
        const int early = runner.start(options);
        return early >= 0 ? early : app.exec();
    }

    QApplication app(argc, argv);
    if (!options.attachUrl.isEmpty()) {
        auto *inspector = new InspectorWindow(*fanout::RedisUrl::parse(options.attachUrl, nullptr), options.prefix);
        inspector->setAttribute(Qt::WA_DeleteOnClose);
        inspector->show();
        return app.exec();
    }
    QString error;
    std::optional<fanout::Scenario> scenario = fanout::Scenario::load(options.scenario, &error);
    if (!scenario) {
        std::fprintf(stderr, "fanout-studio: %s\n", qPrintable(error));
        return 2;
    }
    if (options.seconds > 0)
        scenario->seconds = std::max(scenario->seconds, options.seconds);
    MainWindow window(options.prefix);
    std::unique_ptr<ScreenshotRunner> screenshot;
    if (!options.screenshotPath.isEmpty()) {
        window.resize(ScreenshotRunner::Width, ScreenshotRunner::Height);
        screenshot = std::make_unique<ScreenshotRunner>(&window, options.screenshotPath,
                                                        options.seconds > 0 ? options.seconds : 3.0);
    }
    window.show();
    window.startScenario(*scenario, options.broker);
    return app.exec();
}
