#pragma once

#include "faultmarkers.h"
#include "metricshistory.h"
#include "node/node.h"
#include "reportexporter.h"
#include "sim/scenario.h"
#include "studioactions.h"
#include "studiocharts.h"

#include <QMainWindow>

class QLabel;
class QTableView;
class ComparisonPanel;
class ConsolePanel;
class EventLogModel;
class FleetView;
class InspectorWindow;
class LossPanel;
class NodesPanel;
class PresenceTableModel;
class RoomMatrixModel;
class RoomMatrixView;
class SetUpProgress;
class SimulationController;
class SimulationToolBar;
class TracePanel;

namespace fanout {
struct RedisUrl;
struct SimSnapshot;
}

/// Fanout Studio's window: the fleet drawn in the middle; docks for the nodes, the rooms x nodes
/// matrix, the charts, the loss panel, fleets side by side, the event log, message traces and a
/// redis-cli console. With two fleets (pub/sub and streams) every view but the side-by-side one
/// shows the first.
/// It reads only the snapshots, events and answers the SimulationController hands it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `channelPrefix` is what File > Attach to Redis inspects (fanout-studio --prefix).
    explicit MainWindow(const QString &channelPrefix = fanout::NodeConfig::DefaultChannelPrefix,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Starts a new simulation of `scenario` on the in-process broker (empty URL) or on Redis.
    void startScenario(const fanout::Scenario &scenario, const QString &redisUrl = {});
    /// Opens an inspector window on `url` for the channel prefix; it deletes itself when closed.
    InspectorWindow *attach(const fanout::RedisUrl &url);
    SimulationController *controller() const { return m_controller; }
    const MetricsHistory &history() const { return m_history; }
    const ReportExporter &exporter() const { return m_exporter; }
    SetUpProgress *setUpProgress() const { return m_setUp; }
    /// How long the last snapshot took to reach every model, chart and view (not painting).
    double lastRefreshMs() const { return m_lastRefreshMs; }

signals:
    /// A snapshot has been drawn everywhere.
    void refreshed();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void addToolBars();
    void createMenus();
    void createDocks();
    void connectActions();
    void connectController();
    QDockWidget *addDock(const QString &title, const QString &objectName, QWidget *widget, Qt::DockWidgetArea area);
    void restoreSettings();
    void onLoaded(bool ok, const QString &error);
    void onSnapshot(const fanout::SimSnapshot &snapshot);
    void loadScenario(const QString &nameOrPath);
    void openScenarioFile();
    void editFleet();
    void askToAttach();
    void setSpeed(double factor);

    QString m_channelPrefix;
    SimulationController *m_controller;
    StudioActions m_actions;
    MetricsHistory m_history;
    StudioCharts m_charts;
    FaultMarkers *m_faultMarkers = nullptr;
    ReportExporter m_exporter;
    SetUpProgress *m_setUp;
    RoomMatrixModel *m_roomModel;
    EventLogModel *m_eventModel;
    FleetView *m_fleetView;
    NodesPanel *m_nodes;
    RoomMatrixView *m_roomView;
    LossPanel *m_lossPanel;
    ComparisonPanel *m_comparison;
    PresenceTableModel *m_presenceModel;
    QDockWidget *m_presenceDock = nullptr;
    QDockWidget *m_comparisonDock = nullptr;
    TracePanel *m_tracePanel;
    ConsolePanel *m_console;
    SimulationToolBar *m_toolBar;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_statusLabel;
    double m_lastRefreshMs = 0;
    bool m_fittedToScreen = false;
};
