#pragma once

#include "sim/scenario.h"

#include <QCoreApplication>
#include <QList>

#include <vector>

class QAction;

/// Every action of the studio's window, created in one place with the objectNames that tests and
/// screenshots look them up by ("actionRun", "actionKillNode", ...). The window connects them and
/// places them in its menus, its toolbar and the nodes table through these pointers.
struct StudioActions {
    Q_DECLARE_TR_FUNCTIONS(StudioActions)
public:
    /// A Faults menu entry and the kind of step it applies.
    struct Fault {
        fanout::ScenarioStep::Action step;
        QAction *action;
    };

    /// Creates every action as a child of `owner`.
    explicit StudioActions(QObject *owner);

    /// The faults that apply to the node selected in the nodes table.
    QList<QAction *> nodeFaults() const;

    QAction *openScenario;
    QAction *exportDashboard;
    QAction *exportCsv;
    QAction *exportReport;
    QAction *saveSession;
    QAction *attach;
    QAction *quit;
    QAction *run;
    QAction *pause;
    QAction *step;
    QAction *reset;
    /// Checkable: traffic goes on after the scenario's timed part until Pause (on by default).
    QAction *runUntilStopped;
    QAction *fleet;
    QAction *followLessons; ///< checkable: runs wait at each caption of a scenario's lesson
    /// In menu order. Broker down is checkable: unchecking it brings the broker back up.
    std::vector<Fault> faults;
    QAction *brokerDown = nullptr; ///< the broker-down entry of `faults`, unchecked when a scenario starts
    QAction *copyUrl;
};
