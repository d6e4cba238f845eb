#include "quiet.h"

#include <QSignalSpy>
#include <QTest>

bool Quiet::holdsFor(int ms, const std::function<bool()> &holds)
{
    return holds() && !QTest::qWaitFor([&holds] { return !holds(); }, ms);
}

bool Quiet::nothingArrivesWithin(QSignalSpy &spy, int ms)
{
    const qsizetype before = spy.size();
    return holdsFor(ms, [&spy, before] { return spy.size() == before; });
}
