#include "mainwindow.h"
#include "sim/scenario.h"
#include "sim/scenariowriter.h"
#include "sim/simulation.h"
#include "sim/simulationset.h"
#include "simrun.h"
#include "simulationcontroller.h"
#include "widgets/lessonbanner.h"
#include "windowtesting.h"

#include <QAction>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using fanout::Scenario;
using fanout::ScenarioCaption;
using fanout::ScenarioStep;
using fanout::ScenarioWriter;
using fanout::SimSnapshot;
using fanout::Simulation;
using fanout::SimulationSet;

namespace {

/// One room on three nodes, one message per 10 ms tick, with a caption at 0.5 s and 1.2 s.
Scenario lessonFleet()
{
    Scenario s;
    s.name = QStringLiteral("lesson");
    s.seconds = 2;
    s.nodes = 3;
    s.clients = 9;
    s.rooms = 1;
    s.senders = 1;
    s.publishRate = 100;
    s.tickMs = 10;
    s.settleMs = 500;
    s.steps.push_back({1.5, ScenarioStep::Action::BrokerDown, -1, -1, 0});
    s.lesson = {{0.5, QStringLiteral("A node dies"), QStringLiteral("Its members lose what is published.")},
                {1.2, QStringLiteral("It comes back"), QStringLiteral("Its members rejoin.")}};
    return s;
}

}

/// Lessons (captions that pause a run), scenario files written back, and a recorded session
/// replayed (docs/studio.md).
class tst_Lesson : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void scenarioFilesRoundTrip_data();
    void scenarioFilesRoundTrip();
    void lessonErrorsSayWhere_data();
    void lessonErrorsSayWhere();
    void runPausesAtEachCaption();
    void captionsPassWhenNotPausing();
    void recordedSessionReplaysTheSame();
    void lessonRunsEndToEndInTheWindow();
    void windowOffersTheLesson();
    void windowRecordsWhatTheUserDid();
};

void tst_Lesson::initTestCase()
{
    windowtesting::useOwnSettings("StudioLesson");
    QSettings().clear();
}

void tst_Lesson::scenarioFilesRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &name : Scenario::builtinNames())
        QTest::newRow(qPrintable(name)) << name;
    QTest::newRow("with a lesson and steps") << QString();
}

void tst_Lesson::scenarioFilesRoundTrip()
{
    QFETCH(QString, name);
    QString error;
    const std::optional<Scenario> original = name.isEmpty() ? lessonFleet() : Scenario::load(name, &error);
    QVERIFY2(original, qPrintable(error));
    const QByteArray written = ScenarioWriter::toText(*original);
    const std::optional<Scenario> read = Scenario::fromJson(written, QStringLiteral("written"), &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(ScenarioWriter::toText(*read), written);
    QCOMPARE(read->steps.size(), original->steps.size());
    QCOMPARE(read->lesson.size(), original->lesson.size());
}

void tst_Lesson::lessonErrorsSayWhere_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not an array") << QByteArray(R"({"lesson": {}})") << "lesson: must be an array";
    QTest::newRow("not an object") << QByteArray(R"({"lesson": [3]})") << "lesson[0]: must be an object";
    QTest::newRow("no title") << QByteArray(R"({"lesson": [{"at": 1, "text": "x"}]})")
                              << "lesson[0].title: needs 1 to 80 characters";
    QTest::newRow("long text") << QByteArray(R"({"lesson": [{"at": 1, "title": "t", "text": ")" + QByteArray(601, 'x')
                                             + R"("}]})")
                               << "lesson[0].text: needs 1 to 600 characters";
    QTest::newRow("after the end") << QByteArray(R"({"seconds": 5, "lesson": [{"at": 6, "title": "t", "text": "x"}]})")
                                   << "lesson[0].at: 6 is out of range";
    QTest::newRow("unknown field") << QByteArray(R"({"lesson": [{"at": 1, "title": "t", "text": "x", "next": 2}]})")
                                   << "lesson[0].next";
}

void tst_Lesson::lessonErrorsSayWhere()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!Scenario::fromJson(json, QStringLiteral("bad.json"), &error));
    QVERIFY2(error.startsWith(QStringLiteral("bad.json: ") + expected), qPrintable(error));
}

void tst_Lesson::runPausesAtEachCaption()
{
    Simulation simulation(lessonFleet());
    QString error;
    QVERIFY2(simulation.setUp(QString(), &error), qPrintable(error));
    simulation.setPauseAtCaptions(true);
    simulation.setSpeed(0);
    QSignalSpy captions(&simulation, &Simulation::captionReached);
    QSignalSpy finished(&simulation, &Simulation::finished);
    simulation.run();
    QTRY_COMPARE(captions.size(), 1);
    QCOMPARE(captions.at(0).at(0).toInt(), 0);
    QCOMPARE(simulation.phase(), fanout::SimPhase::Paused);
    QCOMPARE(simulation.simSeconds(), 0.5); // paused before the caption's tick runs
    simulation.run();
    QTRY_COMPARE(captions.size(), 2);
    QCOMPARE(captions.at(1).at(0).toInt(), 1);
    QCOMPARE(simulation.simSeconds(), 1.2);
    QCOMPARE(finished.size(), 0);
    simulation.run();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(captions.size(), 2);
}

void tst_Lesson::captionsPassWhenNotPausing()
{
    Simulation simulation(lessonFleet());
    QSignalSpy captions(&simulation, &Simulation::captionReached);
    QVERIFY(runToEnd(simulation));
    QCOMPARE(captions.size(), 0);
}

void tst_Lesson::recordedSessionReplaysTheSame()
{
    // A user kills node 1 at the first caption and restarts it at the second, in a set that
    // records; the recording, written and read back, replays to the same accounting.
    SimulationSet live(lessonFleet());
    QString error;
    QVERIFY2(live.setUp(QString(), &error), qPrintable(error));
    live.setPauseAtCaptions(true);
    live.setSpeed(0);
    QSignalSpy captions(&live, &SimulationSet::captionReached);
    QSignalSpy liveFinished(&live, &SimulationSet::finished);
    live.run();
    QTRY_COMPARE(captions.size(), 1);
    live.apply(ScenarioStep::onNode(ScenarioStep::Action::KillNode, 1));
    live.run();
    QTRY_COMPARE(captions.size(), 2);
    live.apply(ScenarioStep::onNode(ScenarioStep::Action::RestartNode, 1));
    live.apply(ScenarioStep::withRate(50));
    live.run();
    QTRY_VERIFY_WITH_TIMEOUT(liveFinished.size() == 1, 20000);

    const QByteArray file = ScenarioWriter::toText(live.recording());
    const std::optional<Scenario> recorded = Scenario::fromJson(file, QStringLiteral("recording"), &error);
    QVERIFY2(recorded, qPrintable(error));
    QCOMPARE(recorded->name, QStringLiteral("lesson (recorded)"));
    QCOMPARE(recorded->steps.size(), size_t(4));
    QCOMPARE(recorded->steps.at(0).at, 0.5);
    QCOMPARE(recorded->steps.at(0).action, ScenarioStep::Action::KillNode);
    QCOMPARE(recorded->steps.at(3).action, ScenarioStep::Action::BrokerDown);

    Simulation replay(*recorded);
    const std::optional<SimSnapshot> replayed = runToEnd(replay);
    QVERIFY(replayed);
    const SimSnapshot &original = live.finalSnapshot(0);
    QCOMPARE(replayed->totals.published, original.totals.published);
    QCOMPARE(replayed->totals.expected, original.totals.expected);
    QCOMPARE(replayed->totals.delivered, original.totals.delivered);
    QCOMPARE(replayed->totals.lostByCause, original.totals.lostByCause);
    quint64 lost = 0;
    for (const quint64 count : replayed->totals.lostByCause)
        lost += count;
    QVERIFY(lost > 0); // the kill cost something, so the comparison means something
    for (int c = 0; c < recorded->clients; ++c)
        QCOMPARE(replay.deliveredTo(c), live.fleet(0)->deliveredTo(c));
}

void tst_Lesson::lessonRunsEndToEndInTheWindow()
{
    // A learner follows the basics lesson in the window: the run waits at each caption, Next
    // goes on, and after the last one the run carries on past it.
    QSettings().setValue(QStringLiteral("lessons"), true);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("actionFollowLessons"))->isChecked());
    QString error;
    const std::optional<Scenario> basics = Scenario::load(QStringLiteral("basics"), &error);
    QVERIFY2(basics && basics->lesson.size() >= 3, qPrintable(error));
    SimulationController *controller = window.controller();
    controller->setSpeed(0);
    window.startScenario(*basics);
    auto *banner = window.findChild<LessonBanner *>(QStringLiteral("lessonBanner"));
    auto *title = window.findChild<QLabel *>(QStringLiteral("lessonTitle"));
    auto *next = window.findChild<QPushButton *>(QStringLiteral("lessonNext"));
    QVERIFY(banner && title && next);
    window.findChild<QAction *>(QStringLiteral("actionRun"))->trigger();
    for (int i = 0; i < int(basics->lesson.size()); ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(banner->shownCaption(), i, 10000);
        QCOMPARE(title->text(), basics->lesson[size_t(i)].title);
        QTRY_COMPARE(controller->lastSnapshot().simSeconds, basics->lesson[size_t(i)].at);
        QCOMPARE(controller->lastSnapshot().phase, fanout::SimPhase::Paused);
        QTest::mouseClick(next, Qt::LeftButton);
    }
    QTRY_VERIFY_WITH_TIMEOUT(controller->lastSnapshot().simSeconds > basics->lesson.back().at + 1, 10000);
    QVERIFY(!banner->isVisible());
}

void tst_Lesson::windowOffersTheLesson()
{
    // With lessons off a scenario with a lesson runs through, and the banner offers to follow it.
    QSettings().setValue(QStringLiteral("lessons"), false);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *follow = window.findChild<QAction *>(QStringLiteral("actionFollowLessons"));
    QVERIFY(!follow->isChecked());
    QString error;
    window.startScenario(*Scenario::load(QStringLiteral("node-failure"), &error));
    auto *banner = window.findChild<LessonBanner *>(QStringLiteral("lessonBanner"));
    QTRY_VERIFY(banner->isVisible());
    QCOMPARE(banner->shownCaption(), -1);
    QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("lessonNext")), Qt::LeftButton);
    QVERIFY(follow->isChecked());
    QVERIFY(!banner->isVisible());
    QCOMPARE(QSettings().value(QStringLiteral("lessons")).toBool(), true);
    QTRY_COMPARE(window.controller()->pausesAtCaptions(), true);
    follow->setChecked(false);
}

void tst_Lesson::windowRecordsWhatTheUserDid()
{
    // A fault from the menu, then "Save session as scenario" asks the engine for the recording.
    QSettings().setValue(QStringLiteral("lessons"), false);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    SimulationController *controller = window.controller();
    QSignalSpy loaded(controller, &SimulationController::loaded);
    window.startScenario(lessonFleet());
    QTRY_COMPARE(loaded.size(), 1);
    controller->setSpeed(0);
    controller->run();
    QTRY_VERIFY(controller->lastSnapshot().simSeconds > 0.2);
    controller->apply(ScenarioStep::onNode(ScenarioStep::Action::KillNode, 2));
    QSignalSpy recorded(controller, &SimulationController::recordingReady);
    controller->requestRecording();
    QTRY_COMPARE(recorded.size(), 1);
    const auto recording = recorded.first().first().value<Scenario>();
    QCOMPARE(recording.steps.size(), size_t(2)); // the scenario's broker_down and the kill
    const auto kill = std::find_if(recording.steps.begin(), recording.steps.end(), [](const ScenarioStep &step) {
        return step.action == ScenarioStep::Action::KillNode;
    });
    QVERIFY(kill != recording.steps.end());
    QCOMPARE(kill->node, 2);
    QVERIFY(kill->at > 0.2);
    QVERIFY(window.findChild<QAction *>(QStringLiteral("actionSaveSession")));
}

QTEST_MAIN(tst_Lesson)
#include "tst_lesson.moc"
