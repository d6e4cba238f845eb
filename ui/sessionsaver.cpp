#include "sessionsaver.h"

#include "sim/scenariowriter.h"
#include "simulationcontroller.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QWidget>

SessionSaver::SessionSaver(QAction *action, SimulationController *controller, QWidget *window)
    : QObject(window), m_window(window)
{
    connect(action, &QAction::triggered, this, [this, controller] {
        m_asked = true;
        controller->requestRecording();
    });
    connect(controller, &SimulationController::recordingReady, this, &SessionSaver::save);
}

void SessionSaver::save(const fanout::Scenario &recording)
{
    if (!std::exchange(m_asked, false))
        return;
    const QString suggested = recording.name.isEmpty() ? QStringLiteral("session.json")
                                                       : QString(recording.name)
                                                             .replace(QLatin1Char(' '), QLatin1Char('-'))
                                                             .remove(QLatin1Char('('))
                                                             .remove(QLatin1Char(')'))
            + QStringLiteral(".json");
    const QString path
        = QFileDialog::getSaveFileName(m_window, tr("Save session as scenario"), suggested, tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    const QByteArray text = fanout::ScenarioWriter::toText(recording);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        QMessageBox::warning(m_window, tr("Save session"), tr("Cannot write %1: %2").arg(path, file.errorString()));
}
