#pragma once

#include <QString>

namespace fanout {
struct InspectionSnapshot;
}

/// What `fanout-studio --inspect URL` prints by default: one inspection for a person at a
/// terminal, in sections (the nodes with their state and rates, the busiest rooms, the drift
/// findings, the errors). `--json` prints the whole snapshot instead, for machines.
class InspectionSummary
{
public:
    /// Rooms listed, the ones with the most subscribers first: a fleet can hold 100,000.
    static constexpr int MaxRooms = 20;

    static QString text(const fanout::InspectionSnapshot &snapshot);
};
