#include "simulationtoolbar.h"

#include "sim/scenario.h"
#include "studioactions.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSignalBlocker>

namespace {

struct Speed {
    const char *label;
    double factor;
};
constexpr Speed speeds[] = {{QT_TRANSLATE_NOOP("SimulationToolBar", "0.1x (slow motion)"), 0.1},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "0.25x"), 0.25},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "0.5x"), 0.5},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "1x (real time)"), 1.0},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "2x"), 2.0},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "5x"), 5.0},
                            {QT_TRANSLATE_NOOP("SimulationToolBar", "as fast as possible"), 0.0}};
constexpr int realTimeIndex = 3;
const QString speedKey = QStringLiteral("speed");

}

SimulationToolBar::SimulationToolBar(const StudioActions &actions, QWidget *parent)
    : QToolBar(tr("Simulation"), parent), m_scenarioBox(new QComboBox), m_speedBox(new QComboBox),
      m_rateBox(new QDoubleSpinBox)
{
    setObjectName(QStringLiteral("simulationToolBar"));
    addActions({actions.run, actions.pause, actions.step, actions.reset});
    addSeparator();
    addScenarioBox();
    addSeparator();
    addSpeedBox();
    addRateBox();
}

void SimulationToolBar::addScenarioBox()
{
    m_scenarioBox->setObjectName(QStringLiteral("scenarioBox"));
    m_scenarioBox->setToolTip(tr("Built-in scenarios"));
    for (const QString &name : fanout::Scenario::builtinNames()) {
        QString error;
        const std::optional<fanout::Scenario> scenario = fanout::Scenario::load(name, &error);
        m_scenarioBox->addItem(name);
        m_scenarioBox->setItemData(m_scenarioBox->count() - 1, scenario ? scenario->summary : error, Qt::ToolTipRole);
    }
    connect(m_scenarioBox, &QComboBox::activated, this,
            [this](int index) { emit scenarioChosen(m_scenarioBox->itemText(index)); });
    addWidget(new QLabel(tr(" Scenario ")));
    addWidget(m_scenarioBox);
}

void SimulationToolBar::addSpeedBox()
{
    for (const Speed &speed : speeds)
        m_speedBox->addItem(tr(speed.label), speed.factor);
    m_speedBox->setCurrentIndex(realTimeIndex);
    m_speedBox->setToolTip(tr("Simulation speed: slow motion shows each message travel"));
    connect(m_speedBox, &QComboBox::currentIndexChanged, this, &SimulationToolBar::chooseSpeed);
    addWidget(new QLabel(tr(" Speed ")));
    addWidget(m_speedBox);
}

void SimulationToolBar::addRateBox()
{
    m_rateBox->setRange(0, 1000000);
    m_rateBox->setDecimals(0);
    m_rateBox->setSuffix(tr(" msg/s"));
    m_rateBox->setToolTip(tr("Publish rate of the whole fleet"));
    m_rateBox->setKeyboardTracking(false);
    connect(m_rateBox, &QDoubleSpinBox::valueChanged, this, &SimulationToolBar::publishRateChanged);
    addWidget(new QLabel(tr(" Rate ")));
    addWidget(m_rateBox);
}

void SimulationToolBar::chooseSpeed(int index)
{
    QSettings().setValue(speedKey, index);
    emit speedChanged(m_speedBox->itemData(index).toDouble());
}

void SimulationToolBar::showScenario(const fanout::Scenario &scenario)
{
    const int builtin = m_scenarioBox->findText(scenario.name);
    if (builtin >= 0)
        m_scenarioBox->setCurrentIndex(builtin);
    const QSignalBlocker quiet(m_rateBox);
    m_rateBox->setValue(scenario.publishRate);
}

void SimulationToolBar::restoreSpeed()
{
    const int saved = QSettings().value(speedKey, realTimeIndex).toInt();
    {
        const QSignalBlocker quiet(m_speedBox);
        if (saved >= 0 && saved < m_speedBox->count())
            m_speedBox->setCurrentIndex(saved);
    }
    emit speedChanged(m_speedBox->currentData().toDouble());
}
