#include "lessonbanner.h"

#include "simulationcontroller.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

LessonBanner::LessonBanner(SimulationController *controller, QAction *followLessons, QWidget *parent)
    : QFrame(parent), m_controller(controller), m_followLessons(followLessons), m_place(new QLabel),
      m_title(new QLabel), m_text(new QLabel), m_next(new QPushButton)
{
    setObjectName(QStringLiteral("lessonBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    m_title->setObjectName(QStringLiteral("lessonTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_place->setObjectName(QStringLiteral("lessonPlace"));
    m_next->setObjectName(QStringLiteral("lessonNext"));
    m_next->setDefault(true);

    auto *words = new QVBoxLayout;
    auto *heading = new QHBoxLayout;
    heading->addWidget(m_title, 1);
    heading->addWidget(m_place);
    words->addLayout(heading);
    words->addWidget(m_text);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(words, 1);
    layout->addWidget(m_next, 0, Qt::AlignBottom);

    followLessons->setChecked(QSettings().value(QStringLiteral("lessons"), false).toBool());
    controller->setPauseAtCaptions(followLessons->isChecked());
    connect(followLessons, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("lessons"), on);
        m_controller->setPauseAtCaptions(on);
        if (on && m_shown < 0)
            hide();
    });
    connect(m_next, &QPushButton::clicked, this, [this] {
        hide();
        if (m_shown < 0) {
            m_followLessons->setChecked(true); // the offer, taken
            return;
        }
        m_controller->run();
    });
    connect(controller, &SimulationController::loaded, this, [this] {
        setLesson(m_controller->scenario().lesson);
        offerLesson();
    });
    connect(controller, &SimulationController::captionReached, this, &LessonBanner::showCaption);
    hide();
}

void LessonBanner::setLesson(const std::vector<fanout::ScenarioCaption> &lesson)
{
    m_lesson = lesson;
    m_shown = -1;
    hide();
}

void LessonBanner::offerLesson()
{
    if (m_lesson.empty() || m_followLessons->isChecked())
        return;
    m_shown = -1;
    m_title->setText(tr("This scenario is a lesson"));
    m_text->setText(tr("%n caption(s) explain the fan-out model step by step: the run waits at each one until you "
                       "press Next.",
                       nullptr, int(m_lesson.size())));
    m_place->clear();
    m_next->setText(tr("&Follow the lesson"));
    m_next->setToolTip(tr("Turn on Simulation > Follow lessons"));
    show();
}

void LessonBanner::showCaption(int index)
{
    if (index < 0 || index >= int(m_lesson.size()))
        return;
    m_shown = index;
    const fanout::ScenarioCaption &caption = m_lesson[size_t(index)];
    m_title->setText(caption.title);
    m_text->setText(caption.text);
    m_place->setText(tr("Lesson step %1 of %2 (%3 s)").arg(index + 1).arg(m_lesson.size()).arg(caption.at));
    m_next->setText(index + 1 < int(m_lesson.size()) ? tr("&Next") : tr("&Finish the run"));
    m_next->setToolTip(tr("Go on with the run"));
    show();
    m_next->setFocus();
}
