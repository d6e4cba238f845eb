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
    const QString scenarioError = scenario ? QString() : error;
    if (!scenario) {
        // Without a window (a screenshot) nobody would see it: the exit code says it.
        if (!options.screenshotPath.isEmpty()) {
            std::fprintf(stderr, "fanout-studio: %s\n", qPrintable(error));
            return 2;
        }
        std::fprintf(stderr, "fanout-studio: %s (the window opens on %s)\n", qPrintable(error),
                     qPrintable(StudioOptions().scenario));
        scenario = fanout::Scenario::load(StudioOptions().scenario, &error);
    }
    if (options.seconds > 0)
        scenario->seconds = std::max(scenario->seconds, options.seconds);
    MainWindow window(options.prefix);
    std::unique_ptr<ScreenshotRunner> screenshot;
    if (!options.screenshotPath.isEmpty())
        screenshot = std::make_unique<ScreenshotRunner>(&window, options.screenshotPath,
                                                        options.seconds > 0 ? options.seconds : 3.0);
    window.show();
    // After show(), which fits the window to the screen: a screenshot has the size asked for
    // whatever the screen it is rendered on (offscreen, Xvfb).
    if (screenshot)
        window.resize(options.screenshotSize);
    window.startScenario(*scenario, options.broker);
    if (!scenarioError.isEmpty()) {
        auto *box = new QMessageBox(QMessageBox::Warning, QObject::tr("Cannot load the scenario"), scenarioError,
                                    QMessageBox::Ok, &window);
        box->setObjectName(QStringLiteral("scenarioErrorBox"));
        box->setInformativeText(
            QObject::tr("The studio opened %1 instead; File > Open scenario loads another.").arg(scenario->name));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    return app.exec();
}
