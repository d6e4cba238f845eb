#pragma once

#include "sim/scenario.h"

#include <QtGlobal>

/// A built-in scenario by name; the test aborts, saying why, when it does not load.
inline fanout::Scenario builtinScenario(const QString &name)
{
    QString error;
    auto loaded = fanout::Scenario::load(name, &error);
    if (!loaded)
        qFatal("%s", qPrintable(error));
    return *loaded;
}
