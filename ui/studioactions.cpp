#include "studioactions.h"

#include <QAction>

namespace {

using Action = fanout::ScenarioStep::Action;

/// The one list of faults the window offers; each applies a ScenarioStep of its kind.
struct FaultSpec {
    Action step;
    const char *objectName;
    const char *text;
    QKeyCombination shortcut;
    const char *tip;
};

const FaultSpec faultSpecs[] = {
    {Action::KillNode, "actionKillNode", QT_TRANSLATE_NOOP("StudioActions", "&Kill node"), Qt::CTRL | Qt::Key_K,
     QT_TRANSLATE_NOOP("StudioActions", "Kill the selected node: its clients reconnect elsewhere")},
    {Action::RestartNode, "actionRestartNode", QT_TRANSLATE_NOOP("StudioActions", "R&estart node"),
     Qt::CTRL | Qt::Key_E, QT_TRANSLATE_NOOP("StudioActions", "Restart the selected node")},
    {Action::PartitionNode, "actionPartitionNode", QT_TRANSLATE_NOOP("StudioActions", "&Partition node"),
     Qt::CTRL | Qt::Key_D, QT_TRANSLATE_NOOP("StudioActions", "Cut the selected node from the broker")},
    {Action::HealNode, "actionHealNode", QT_TRANSLATE_NOOP("StudioActions", "&Heal node"), Qt::CTRL | Qt::Key_H,
     QT_TRANSLATE_NOOP("StudioActions", "Reconnect the selected node to the broker")},
    {Action::CutSubscription, "actionCutSubscription", QT_TRANSLATE_NOOP("StudioActions", "&Cut subscribe connection"),
     Qt::CTRL | Qt::Key_U,
     QT_TRANSLATE_NOOP("StudioActions",
                       "Kill the selected node's subscribe connection: it reconnects and subscribes again, and "
                       "misses what was published meanwhile unless its rooms have a history")},
    {Action::BrokerDown, "actionBrokerDown", QT_TRANSLATE_NOOP("StudioActions", "&Broker down"), Qt::CTRL | Qt::Key_B,
     QT_TRANSLATE_NOOP("StudioActions", "Take the whole broker down (toggle)")},
    {Action::SlowClient, "actionSlowClient", QT_TRANSLATE_NOOP("StudioActions", "Make a client &slow..."),
     Qt::CTRL | Qt::Key_L,
     QT_TRANSLATE_NOOP("StudioActions", "A client that consumes slowly: watch its queue fill and drop")},
    {Action::FastClient, "actionFastClient", QT_TRANSLATE_NOOP("StudioActions", "Make a client &fast again..."),
     Qt::CTRL | Qt::SHIFT | Qt::Key_L,
     QT_TRANSLATE_NOOP("StudioActions", "A slow client consumes at full speed again: its queue drains at once")},
};

QAction *makeAction(QObject *owner, const QString &text, const char *objectName, const QList<QKeySequence> &keys,
                    const QString &tip)
{
    auto *action = new QAction(text, owner);
    action->setObjectName(QLatin1String(objectName));
    action->setShortcuts(keys);
    action->setStatusTip(tip);
    action->setToolTip(
        keys.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, keys.first().toString(QKeySequence::NativeText)));
    return action;
}

}

StudioActions::StudioActions(QObject *owner)
    : openScenario(makeAction(owner, tr("&Open scenario..."), "actionOpenScenario", {QKeySequence::Open},
                              tr("Load a scenario JSON file"))),
      exportDashboard(makeAction(owner, tr("Export dashboard as &PNG..."), "actionExportDashboard", {},
                                 tr("Save the whole window (fleet, tables and charts) as one PNG image"))),
      exportCsv(makeAction(owner, tr("Export metrics as &CSV..."), "actionExportCsv", {},
                           tr("Save every sample of the charts as CSV"))),
      exportReport(makeAction(owner, tr("Export &report as JSON..."), "actionExportReport", {},
                              tr("Save the accounting report, as fanout-studio --headless writes it"))),
      saveSession(makeAction(owner, tr("&Save session as scenario..."), "actionSaveSession", {QKeySequence::Save},
                             tr("Save the scenario with every fault and change made during this run, at its time: "
                                "opened again, it replays the session"))),
      attach(makeAction(owner, tr("&Attach to Redis..."), "actionAttach",
                        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A)},
                        tr("Inspect a production Redis read-only: channels, nodes, connections, drift"))),
      quit(makeAction(owner, tr("&Quit"), "actionQuit", {QKeySequence::Quit}, tr("Quit"))),
      run(makeAction(owner, tr("&Run"), "actionRun", {QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)},
                     tr("Run the simulation"))),
      pause(makeAction(owner, tr("&Pause"), "actionPause",
                       {QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::Key_P)}, tr("Pause the simulation"))),
      step(makeAction(owner, tr("&Step"), "actionStep", {QKeySequence(Qt::Key_F10), QKeySequence(Qt::CTRL | Qt::Key_T)},
                      tr("Run one tick (tick_ms of simulated time, 10 ms unless the scenario says otherwise)"))),
      reset(makeAction(owner, tr("R&eset"), "actionReset", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)},
                       tr("Start the current scenario again"))),
      runUntilStopped(makeAction(owner, tr("Run &until stopped"), "actionRunUntilStopped", {},
                                 tr("Keep the traffic going after the scenario's timed steps, until Pause; "
                                    "unchecked, a run stops after the scenario's seconds"))),
      fleet(makeAction(owner, tr("&Fleet and broker..."), "actionFleet", {QKeySequence(Qt::CTRL | Qt::Key_F)},
                       tr("Change nodes, clients, rooms, payload size, or run on a real Redis"))),
      followLessons(makeAction(owner, tr("Follow &lessons"), "actionFollowLessons", {QKeySequence(Qt::Key_F2)},
                               tr("Pause the run at each caption of a scenario's lesson, until Next"))),
      copyUrl(makeAction(owner, tr("&Copy ws:// URL"), "actionCopyUrl", {QKeySequence::Copy},
                         tr("Copy the selected node's ws:// URL")))
{
    runUntilStopped->setCheckable(true);
    runUntilStopped->setChecked(true);
    followLessons->setCheckable(true);
    for (const FaultSpec &spec : faultSpecs) {
        QAction *action
            = makeAction(owner, tr(spec.text), spec.objectName, {QKeySequence(spec.shortcut)}, tr(spec.tip));
        faults.push_back({spec.step, action});
        if (spec.step == Action::BrokerDown) {
            action->setCheckable(true);
            brokerDown = action;
        }
    }
}

QList<QAction *> StudioActions::nodeFaults() const
{
    QList<QAction *> actions;
    for (const Fault &fault : faults) {
        if (fanout::ScenarioStep::subjectOf(fault.step) == fanout::ScenarioStep::Subject::Node)
            actions.append(fault.action);
    }
    return actions;
}
