#pragma once

#include "node/node.h"

#include <QSize>
#include <QString>
#include <QStringList>

/// fanout-studio's command line.
struct StudioOptions {
    bool headless = false;
    QString scenario = QStringLiteral("basics");
    double seconds = 0; ///< 0: the scenario's own duration
    QString reportPath;
    QString broker; ///< empty: the in-process broker
    bool realTime = false;
    QString screenshotPath;
    QSize screenshotSize {1600, 1000}; ///< the window's size in a --screenshot
    QString attachUrl; ///< open the inspector window on this Redis
    QString inspectUrl; ///< print one inspection and exit
    bool json = false; ///< --inspect prints the snapshot as JSON instead of a summary
    QString prefix = fanout::NodeConfig::DefaultChannelPrefix;

    enum class Outcome {
        Run,
        ExitOk,
        ExitError
    };
    struct ParseResult {
        Outcome outcome = Outcome::Run;
        QString message;
    };
    static ParseResult parse(const QStringList &arguments, StudioOptions *options);
};
