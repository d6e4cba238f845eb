#include "reportexporter.h"

#include "metricshistory.h"
#include "simulationcontroller.h"

#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QMessageBox>

ReportExporter::ReportExporter(QWidget *window, const MetricsHistory *history, const SimulationController *controller)
    : m_window(window), m_history(history), m_controller(controller)
{ }

void ReportExporter::exportDashboard() const
{
    const QString path = askForPath(tr("Export dashboard"), QStringLiteral("dashboard.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !saveDashboard(path))
        warnCannotWrite(path, {});
}

bool ReportExporter::saveDashboard(const QString &path) const
{
    return m_window->grab().save(path, "PNG");
}

void ReportExporter::exportCsv() const
{
    const QString path = askForPath(tr("Export metrics"), QStringLiteral("metrics.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QStringList nodeIds;
    for (const auto &node : m_controller->lastSnapshot().nodes)
        nodeIds.append(node.id);
    writeFile(path, m_history->toCsv(nodeIds).toUtf8());
}

void ReportExporter::exportReport() const
{
    const QString path = askForPath(tr("Export report"), QStringLiteral("report.json"), tr("JSON (*.json)"));
    if (!path.isEmpty())
        writeFile(path, QJsonDocument(m_controller->lastSnapshot().toReport()).toJson());
}

QString ReportExporter::askForPath(const QString &title, const QString &suggestedName, const QString &filter) const
{
    return QFileDialog::getSaveFileName(m_window, title, suggestedName, filter);
}

void ReportExporter::writeFile(const QString &path, const QByteArray &contents) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(contents) != contents.size())
        warnCannotWrite(path, file.errorString());
}

void ReportExporter::warnCannotWrite(const QString &path, const QString &reason) const
{
    QMessageBox::warning(m_window, tr("Export"),
                         reason.isEmpty() ? tr("Cannot write %1").arg(path)
                                          : tr("Cannot write %1: %2").arg(path, reason));
}
