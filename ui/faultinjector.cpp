#include "faultinjector.h"

#include "models/fleetclienttablemodel.h"
#include "nodespanel.h"
#include "simulationcontroller.h"
#include "studioactions.h"

#include <QAction>
#include <QInputDialog>
#include <QMainWindow>
#include <QStatusBar>

using fanout::ScenarioStep;

FaultInjector::FaultInjector(const StudioActions &actions, const NodesPanel *nodes, SimulationController *controller,
                             QMainWindow *window)
    : QObject(window), m_nodes(nodes), m_controller(controller), m_window(window)
{
    for (const StudioActions::Fault &fault : actions.faults) {
        connect(fault.action, &QAction::triggered, this,
                [this, step = fault.step](bool checked) { inject(step, checked); });
    }
}

void FaultInjector::inject(ScenarioStep::Action action, bool checked)
{
    if (action == ScenarioStep::Action::BrokerDown && !checked)
        action = ScenarioStep::Action::BrokerUp;
    switch (ScenarioStep::subjectOf(action)) {
    case ScenarioStep::Subject::Fleet:
        m_controller->apply(ScenarioStep::now(action));
        break;
    case ScenarioStep::Subject::Node:
        if (const int node = m_nodes->selectedNode(); node >= 0)
            m_controller->apply(ScenarioStep::onNode(action, node));
        else
            m_window->statusBar()->showMessage(tr("Select a node in the Nodes table first"), 4000);
        break;
    case ScenarioStep::Subject::Client:
        if (const int client = askForClient(action); client >= 0)
            m_controller->apply(ScenarioStep::onClient(action, client));
        break;
    case ScenarioStep::Subject::Rate:
        // No fault sets the rate: the toolbar's rate box applies it with its value.
        break;
    }
}

QString FaultInjector::describe(const fanout::SimClientSnapshot &client, const fanout::SimSnapshot &snapshot)
{
    QString text = tr("v%1 on %2 in %3")
                       .arg(client.index)
                       .arg(FleetClientTableModel::nodeName(client.node, snapshot),
                            FleetClientTableModel::roomList(client.rooms));
    if (client.slow)
        text += tr(" - slow, %1 queued").arg(client.queued);
    return text;
}

int FaultInjector::askForClient(ScenarioStep::Action action) const
{
    const fanout::Scenario &scenario = m_controller->scenario();
    const fanout::SimSnapshot &snapshot = m_controller->lastSnapshot();
    const bool makeSlow = action == ScenarioStep::Action::SlowClient;
    QStringList items;
    std::vector<int> indexes;
    for (const fanout::SimClientSnapshot &client : snapshot.clients) {
        // Only a slow client can be made fast again.
        if (!makeSlow && !client.slow)
            continue;
        items.append(describe(client, snapshot));
        indexes.push_back(client.index);
    }
    // Slow clients past the listed ones are still in their node's list.
    for (const fanout::SimNodeSnapshot &node : snapshot.nodes) {
        for (const int client : node.slowClients) {
            if (!makeSlow && size_t(client) >= snapshot.clients.size()) {
                items.append(tr("v%1 on %2 - slow").arg(client).arg(node.id));
                indexes.push_back(client);
            }
        }
    }
    if (items.isEmpty()) {
        m_window->statusBar()->showMessage(makeSlow ? tr("There is no client yet") : tr("No client is slow"), 4000);
        return -1;
    }
    QString question = makeSlow
        ? tr("Client to make slow; it consumes %1 messages/s (slow ones are marked, and listed in the Nodes table):")
              .arg(scenario.slowDrainRate)
        : tr("Slow client to consume at full speed again:");
    if (makeSlow && scenario.clients > int(snapshot.clients.size()))
        question += tr("\n(the first %1 of %2 clients)").arg(snapshot.clients.size()).arg(scenario.clients);
    bool ok = false;
    const QString chosen = QInputDialog::getItem(m_window, tr("Client"), question, items, 0, false, &ok);
    const qsizetype row = items.indexOf(chosen);
    return ok && row >= 0 ? indexes[size_t(row)] : -1;
}
