// A scenario file someone wrote or downloaded: Scenario::fromJson, as `--scenario FILE` and the
// studio's File > Open read it, then the fleets it runs.

#include "sim/scenario.h"

using namespace fanout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    if (const std::optional<Scenario> scenario = Scenario::fromJson(text, QStringLiteral("fuzz.json"), &error)) {
        for (const Scenario &fleet : scenario->fleets())
            (void)Scenario::deliveryName(fleet.delivery);
        for (const ScenarioStep &step : scenario->steps)
            (void)ScenarioStep::actionName(step.action);
    }
    return 0;
}
