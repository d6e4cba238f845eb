#pragma once

#include <QToolBar>

class QComboBox;
class QDoubleSpinBox;
struct StudioActions;

namespace fanout {
struct Scenario;
}

/// The simulation toolbar: run controls, the built-in scenarios, the speed and the fleet's publish
/// rate (the faults have a toolbar of their own). The speed chosen is remembered in QSettings.
class SimulationToolBar : public QToolBar
{
    Q_OBJECT
public:
    explicit SimulationToolBar(const StudioActions &actions, QWidget *parent = nullptr);

    /// Shows a scenario that has just started (its name when it is built in, its publish rate)
    /// without emitting scenarioChosen() or publishRateChanged().
    void showScenario(const fanout::Scenario &scenario);
    /// Selects the speed saved last time and announces it with speedChanged().
    void restoreSpeed();

signals:
    void scenarioChosen(const QString &name);
    /// 0: as fast as possible, else a factor of real time.
    void speedChanged(double factor);
    void publishRateChanged(double messagesPerSecond);

private:
    void addScenarioBox();
    void addSpeedBox();
    void addRateBox();
    void chooseSpeed(int index);

    QComboBox *m_scenarioBox;
    QComboBox *m_speedBox;
    QDoubleSpinBox *m_rateBox;
};
