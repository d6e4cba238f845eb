#pragma once

#include "sim/scenario.h"

#include <QFrame>

#include <vector>

class QAction;
class QLabel;
class QPushButton;
class SimulationController;

/// The caption of a lesson, shown above the fleet while the run waits at it: the step's place
/// in the lesson, its title and its few sentences, and Next, which hides the banner and lets
/// the run go on. It follows the controller (the lesson of each scenario loaded, each caption
/// the run reaches) and `followLessons`, the checkable action that makes runs wait at captions
/// (kept in QSettings as "lessons"). While that is off, a scenario with a lesson gets an offer
/// to follow it instead, which does not stop the run.
class LessonBanner : public QFrame
{
    Q_OBJECT
public:
    LessonBanner(SimulationController *controller, QAction *followLessons, QWidget *parent = nullptr);

    /// The captions of the scenario now loaded; hides the banner.
    void setLesson(const std::vector<fanout::ScenarioCaption> &lesson);
    void showCaption(int index);
    /// Offers to follow the lesson of the scenario loaded, when it has one and lessons are off.
    void offerLesson();
    /// The caption shown, -1 when hidden.
    int shownCaption() const { return isVisible() ? m_shown : -1; }

private:
    std::vector<fanout::ScenarioCaption> m_lesson;
    int m_shown = -1;
    SimulationController *m_controller;
    QAction *m_followLessons;
    QLabel *m_place;
    QLabel *m_title;
    QLabel *m_text;
    QPushButton *m_next;
};
