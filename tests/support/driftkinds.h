#pragma once

#include "inspect/inspectionsnapshot.h"

#include <QStringList>

/// The kinds of a snapshot's drift findings, sorted: what a test compares.
inline QStringList driftKinds(const fanout::InspectionSnapshot &snapshot)
{
    QStringList kinds;
    for (const fanout::DriftFinding &finding : snapshot.findings)
        kinds.append(finding.kind);
    kinds.sort();
    return kinds;
}
