#pragma once

#include <functional>

class QSignalSpy;

/// Proofs that something does NOT happen: the event loop runs for a fixed time and the proof
/// fails as soon as the unwanted thing happens. Absence can only be shown over time, so these are
/// the one place a test waits for a fixed time; everything else waits for a condition (QTRY_*).
class Quiet
{
public:
    /// True when `holds` stays true while events are processed for `ms`: nothing that would
    /// break it arrives within that time.
    static bool holdsFor(int ms, const std::function<bool()> &holds);
    /// True when `spy` records nothing more within `ms`.
    static bool nothingArrivesWithin(QSignalSpy &spy, int ms);
};
