#pragma once

#include <QCoreApplication>
#include <QString>

class QWidget;
class MetricsHistory;
class SimulationController;

/// Saves what the studio shows: the whole dashboard (the window: fleet, tables, charts) as PNG, every chart sample as
/// CSV and the accounting report as JSON (the report fanout-studio --headless writes). Each export asks for a file with
/// a dialog on `window` and warns there when it cannot write it.
class ReportExporter
{
    Q_DECLARE_TR_FUNCTIONS(ReportExporter)
public:
    ReportExporter(QWidget *window, const MetricsHistory *history, const SimulationController *controller);

    void exportDashboard() const;
    /// Renders the window as it is, at its size, into `path`; false when it cannot be written.
    bool saveDashboard(const QString &path) const;
    void exportCsv() const;
    void exportReport() const;

private:
    /// The path the user chose, empty when cancelled.
    QString askForPath(const QString &title, const QString &suggestedName, const QString &filter) const;
    void writeFile(const QString &path, const QByteArray &contents) const;
    /// `reason` may be empty when the writer does not tell one (QImage::save).
    void warnCannotWrite(const QString &path, const QString &reason) const;

    QWidget *m_window;
    const MetricsHistory *m_history;
    const SimulationController *m_controller;
};
