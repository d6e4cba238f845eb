#pragma once

#include "sim/scenario.h"

#include <QObject>

class QAction;
class QWidget;
class SimulationController;

/// "Save session as scenario": what was done to the running simulation, written as a scenario
/// file that replays it (the scenario the run began with, and each change at its simulated
/// time). Asks for a file on `window` and warns there when it cannot write it.
class SessionSaver : public QObject
{
    Q_OBJECT
public:
    SessionSaver(QAction *action, SimulationController *controller, QWidget *window);

private:
    void save(const fanout::Scenario &recording);

    QWidget *m_window;
    bool m_asked = false; ///< a recording is on its way because the user asked for it
};
