#pragma once

#include "scenario.h"

#include <QByteArray>
#include <QJsonObject>

namespace fanout {

/// A scenario as a file: every field written, so Scenario::fromJson reads back the same
/// scenario (a recorded session replays as it happened; docs/studio.md).
class ScenarioWriter
{
public:
    static QJsonObject toJson(const Scenario &scenario);
    static QByteArray toText(const Scenario &scenario);
};

}
