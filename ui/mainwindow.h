#pragma once

#include "metricshistory.h"
#include "sim/scenario.h"

#include <QMainWindow>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressDialog;
class QTableView;
class ConsolePanel;
class EventLogModel;
class FleetView;
class LossPanel;
class NodeTableModel;
class RoomMatrixModel;
class SimulationController;
class TimeSeriesChart;
class TracePanel;

namespace fanout {
struct SimSnapshot;
}

/// Fanout Studio's window: the fleet drawn in the middle; docks for the nodes, the rooms x nodes
/// matrix, the charts, the loss panel, the event log, message traces and a redis-cli console.
/// It reads only the snapshots, events and answers the SimulationController hands it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Starts a new simulation of `scenario` on the in-process broker (empty URL) or on Redis.
    void startScenario(const fanout::Scenario &scenario, const QString &redisUrl = {});
    SimulationController *controller() const { return m_controller; }
    const MetricsHistory &history() const { return m_history; }
    /// How long the last snapshot took to reach every model, chart and view (not painting).
    double lastRefreshMs() const { return m_lastRefreshMs; }

signals:
    /// A snapshot has been drawn everywhere.
    void refreshed();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createToolBar();
    void createDocks();
    void onSnapshot(const fanout::SimSnapshot &snapshot);
    void onLoaded(bool ok, const QString &error);
    void updateCharts();
    int selectedNode() const;
    void chooseScenario(int comboIndex);
    void openScenarioFile();
    void editFleet();
    void makeClientSlow();
    void attachToRedis();
    void copyNodeUrl();
    void exportChart();
    void exportCsv();
    void exportReport();
    void restoreSettings();
    QDockWidget *addDock(const QString &title, const QString &objectName, QWidget *widget, Qt::DockWidgetArea area);

    SimulationController *m_controller;
    MetricsHistory m_history;
    NodeTableModel *m_nodeModel;
    RoomMatrixModel *m_roomModel;
    EventLogModel *m_eventModel;
    FleetView *m_fleetView;
    QTableView *m_nodeView;
    QTableView *m_roomView;
    LossPanel *m_lossPanel;
    TracePanel *m_tracePanel;
    ConsolePanel *m_console;
    TimeSeriesChart *m_rateChart;
    TimeSeriesChart *m_amplificationChart;
    TimeSeriesChart *m_bytesChart;
    TimeSeriesChart *m_nodeChart;
    TimeSeriesChart *m_latencyChart;
    QComboBox *m_scenarioBox;
    QComboBox *m_speedBox;
    QDoubleSpinBox *m_rateBox;
    QLabel *m_statusLabel;
    QProgressDialog *m_progress = nullptr;
    QAction *m_brokerDown = nullptr;
    QString m_scenarioSource;
    double m_lastRefreshMs = 0;
};
