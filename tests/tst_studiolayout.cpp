#include "builtinscenario.h"
#include "mainwindow.h"
#include "metricshistory.h"
#include "simulationcontroller.h"
#include "widgets/timeserieschart.h"
#include "windowtesting.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QLineSeries>
#include <QListView>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolTip>

#include <cmath>
#include <map>

using fanout::Scenario;
using fanout::SimSnapshot;

namespace {

/// The screen every test runs on: the smallest the studio promises to fit.
constexpr QSize ScreenSize(1280, 800);

/// A built-in scenario without its lesson, whose captions would pause the run.
Scenario scenario(const QString &name)
{
    Scenario loaded = builtinScenario(name);
    loaded.lesson.clear();
    return loaded;
}

/// Whether `widget` shows whole: visible, and inside each of its ancestors up to the window,
/// so that no parent (a dock, a splitter, the window) clips it.
bool shownWhole(const QWidget *widget)
{
    if (!widget || !widget->isVisible())
        return false;
    QRect rect = widget->rect();
    for (const QWidget *w = widget; !w->isWindow(); w = w->parentWidget()) {
        rect.translate(w->pos());
        if (!w->parentWidget()->rect().contains(rect))
            return false;
    }
    return true;
}

/// The tab bar holding a dock tab with this title.
QTabBar *tabBarWith(const QMainWindow &window, const QString &title, int *index)
{
    for (QTabBar *bar : window.findChildren<QTabBar *>()) {
        for (int i = 0; i < bar->count(); ++i) {
            if (bar->tabText(i) == title) {
                *index = i;
                return bar;
            }
        }
    }
    return nullptr;
}

/// Which column of a table is cut by its view or narrower than its contents; empty when none.
QString columnFault(const QTableView &table)
{
    const QHeaderView *header = table.horizontalHeader();
    const QAbstractItemView &view = table; // QTableView hides sizeHintForColumn
    for (int column = 0; column < header->count(); ++column) {
        if (header->sectionViewportPosition(column) + header->sectionSize(column) > table.viewport()->width())
            return QStringLiteral("column %1 is cut").arg(column);
        if (header->sectionSize(column) < view.sizeHintForColumn(column))
            return QStringLiteral("column %1 is elided").arg(column);
    }
    return {};
}

/// Runs `window` on `scenario` at `size` (empty: as it opened) until `seconds` of simulated time.
void runUntil(MainWindow &window, const Scenario &s, double seconds)
{
    window.startScenario(s);
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lastSnapshot().simSeconds >= seconds, 20000);
}

/// A snapshot of a run `time` seconds in, with `published` messages so far.
SimSnapshot snapshotAt(double time, quint64 published)
{
    SimSnapshot snapshot;
    snapshot.simSeconds = time;
    snapshot.busPublishes = published;
    snapshot.busDeliveries = published * 3;
    snapshot.socketDeliveries = published * 10;
    return snapshot;
}

}

class tst_StudioLayout : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void windowFitsTheScreenWithEveryActionReachable_data();
    void windowFitsTheScreenWithEveryActionReachable();
    void nothingIsClipped_data();
    void nothingIsClipped();
    void docksKeepTheirWidthsDuringARun();
    void ratesAreSteadyAtAnySpeed_data();
    void ratesAreSteadyAtAnySpeed();
    void timeTicksNeverRepeat_data();
    void timeTicksNeverRepeat();
    void hoverShowsSeriesTimeAndValue();
    void faultsAreMarkedOnTheTimeAxis();
    void chartsStartEmptyAfterAScenarioSwitch();
    void exportsTheWholeDashboard();
};

void tst_StudioLayout::initTestCase()
{
    windowtesting::useOwnSettings("StudioLayout");
    QSettings().clear(); // the default layout, whatever an earlier run saved
    QCOMPARE(QGuiApplication::primaryScreen()->size(), ScreenSize);
}

void tst_StudioLayout::windowFitsTheScreenWithEveryActionReachable_data()
{
    QTest::addColumn<QString>("scenarioName");
    // Side by side and presence bring their docks to the front, and they are the tallest.
    for (const char *name : {"basics", "durable-vs-fireforget", "users-presence"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void tst_StudioLayout::windowFitsTheScreenWithEveryActionReachable()
{
    QFETCH(QString, scenarioName);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    runUntil(window, scenario(scenarioName), 0.5);

    const QRect available = window.screen()->availableGeometry();
    QVERIFY2(available.contains(window.frameGeometry()),
             qPrintable(QStringLiteral("frame %1x%2 at %3,%4")
                            .arg(window.frameGeometry().width())
                            .arg(window.frameGeometry().height())
                            .arg(window.frameGeometry().x())
                            .arg(window.frameGeometry().y())));
    QVERIFY(shownWhole(window.statusBar()));
    QVERIFY(shownWhole(window.findChild<QPushButton *>(QStringLiteral("copyUrlButton"))));
    int consoleTab = -1;
    const QTabBar *bottomTabs = tabBarWith(window, QStringLiteral("Verification console"), &consoleTab);
    QVERIFY(bottomTabs);
    QVERIFY(shownWhole(bottomTabs));
    QVERIFY(bottomTabs->rect().contains(bottomTabs->tabRect(consoleTab)));

    // Every toolbar action has its button on the toolbar, none in an overflow menu.
    const QList<QToolBar *> toolBars = window.findChildren<QToolBar *>();
    QVERIFY(toolBars.size() >= 2);
    for (const QToolBar *toolBar : toolBars) {
        QVERIFY(shownWhole(toolBar));
        for (QAction *action : toolBar->actions()) {
            if (action->isSeparator() || !action->isVisible())
                continue;
            QVERIFY2(shownWhole(toolBar->widgetForAction(action)), qPrintable(action->text()));
        }
    }
    QVERIFY(shownWhole(window.menuBar()));
    for (QAction *menu : window.menuBar()->actions())
        QVERIFY2(window.menuBar()->rect().contains(window.menuBar()->actionGeometry(menu)), qPrintable(menu->text()));
}

void tst_StudioLayout::nothingIsClipped_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("fitted to 1280x800") << QSize();
    QTest::newRow("1600x1000") << QSize(1600, 1000);
}

void tst_StudioLayout::nothingIsClipped()
{
    QFETCH(QSize, size);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    if (size.isValid())
        window.resize(size);
    runUntil(window, scenario(QStringLiteral("basics")), 1.0);

    auto *rooms = window.findChild<QTableView *>(QStringLiteral("roomView"));
    QVERIFY(rooms);
    QCOMPARE(rooms->model()->columnCount(), 3);
    const QHeaderView *roomColumns = rooms->horizontalHeader();
    const int last = roomColumns->count() - 1;
    QVERIFY2(roomColumns->sectionViewportPosition(last) + roomColumns->sectionSize(last) <= rooms->viewport()->width(),
             "the rooms x nodes matrix cuts a column");
    QVERIFY(rooms->viewport()->height() >= 2 * rooms->verticalHeader()->defaultSectionSize());

    auto *nodes = window.findChild<QTableView *>(QStringLiteral("nodeView"));
    QVERIFY(nodes);
    const QHeaderView *nodeColumns = nodes->horizontalHeader();
    const int lastNode = nodeColumns->count() - 1;
    QVERIFY2(nodeColumns->sectionViewportPosition(lastNode) + nodeColumns->sectionSize(lastNode)
                 <= nodes->viewport()->width(),
             "the nodes table cuts a column");

    auto *events = window.findChild<QListView *>(QStringLiteral("eventView"));
    QVERIFY(events && events->model()->rowCount() > 0);
    const QRect first = events->visualRect(events->model()->index(0, 0));
    QVERIFY2(first.right() <= events->viewport()->width(), "the first event-log line is cut");
    QVERIFY(!events->horizontalScrollBar()->isVisible());

    int traceTab = -1;
    QTabBar *traceTabs = tabBarWith(window, QStringLiteral("Message trace"), &traceTab);
    QVERIFY(traceTabs);
    traceTabs->setCurrentIndex(traceTab);
    auto *traces = window.findChild<QTableView *>(QStringLiteral("traceList"));
    QVERIFY(traces);
    QTRY_VERIFY(traces->isVisible() && traces->model()->rowCount() > 0);
    // Paused, no snapshot resets the list while its columns are measured.
    window.findChild<QAction *>(QStringLiteral("actionPause"))->trigger();
    QTRY_COMPARE(columnFault(*traces), QString());
}

void tst_StudioLayout::docksKeepTheirWidthsDuringARun()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Scenario s = scenario(QStringLiteral("node-failure"));
    runUntil(window, s, 0.5);
    std::map<QString, int> widths;
    for (const QDockWidget *dock : window.findChildren<QDockWidget *>()) {
        if (dock->isVisible())
            widths[dock->objectName()] = dock->width();
    }
    // The kill at 3 s changes states, counts and the loss panel's figures.
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lastSnapshot().simSeconds >= 4.0, 20000);
    for (const auto &[name, width] : widths)
        QVERIFY2(window.findChild<QDockWidget *>(name)->width() == width, qPrintable(name));
}

void tst_StudioLayout::ratesAreSteadyAtAnySpeed_data()
{
    QTest::addColumn<double>("snapshotEvery");
    // A snapshot per 100 ms of wall-clock time: one tick apart in slow motion (0.1x).
    QTest::newRow("0.1x") << 0.01;
    QTest::newRow("1x") << 0.1;
    QTest::newRow("5x") << 0.5;
}

void tst_StudioLayout::ratesAreSteadyAtAnySpeed()
{
    QFETCH(double, snapshotEvery);
    // 20 publishes per second, one every 50 ms.
    MetricsHistory history;
    const int steps = int(4.0 / snapshotEvery);
    for (int step = 0; step <= steps; ++step) {
        const double time = step * snapshotEvery;
        history.add(snapshotAt(time, quint64(time / 0.05 + 1e-9)));
    }
    QVERIFY(!history.samples().empty());
    for (const MetricsHistory::Sample &sample : history.samples()) {
        if (sample.time < MetricsHistory::RateWindowSeconds)
            continue; // the window is still filling
        QVERIFY2(sample.publishes >= 19 && sample.publishes <= 21,
                 qPrintable(QStringLiteral("%1/s at %2 s").arg(sample.publishes).arg(sample.time)));
        QCOMPARE(sample.amplification, 3.0);
    }
}

void tst_StudioLayout::timeTicksNeverRepeat_data()
{
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::newRow("first second") << 0.0 << 1.0;
    QTest::newRow("two seconds") << 0.0 << 2.0;
    QTest::newRow("odd span") << 0.0 << 4.3;
    QTest::newRow("sliding") << 0.2 << 1.2;
    QTest::newRow("a minute") << 10.0 << 70.0;
    QTest::newRow("ten minutes") << 0.0 << 600.0;
}

void tst_StudioLayout::timeTicksNeverRepeat()
{
    QFETCH(double, min);
    QFETCH(double, max);
    const TimeSeriesChart::TimeTicks ticks = TimeSeriesChart::timeTicks(min, max);
    QStringList labels;
    for (double t = std::ceil(min / ticks.interval) * ticks.interval; t <= max + 1e-9; t += ticks.interval)
        labels.append(QString::number(t, 'f', ticks.decimals));
    QVERIFY(labels.size() >= 2);
    QVERIFY(labels.size() <= TimeSeriesChart::MaxTimeTicks + 1);
    QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
}

void tst_StudioLayout::hoverShowsSeriesTimeAndValue()
{
    TimeSeriesChart chart(QStringLiteral("Rates"), QStringLiteral("messages/s"));
    chart.addSeries(QStringLiteral("publishes"));
    chart.setPoints(0, {{0.5, 10}, {1.0, 20}, {1.5, 30}});
    chart.rescale();
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QString text = chart.describe(0, 1.1);
    QVERIFY2(text.contains(QLatin1String("publishes")) && text.contains(QLatin1String("t = 1.00 s"))
                 && text.contains(QLatin1String("20 messages/s")),
             qPrintable(text));
    auto *series = chart.chart()->series().first();
    emit static_cast<QXYSeries *>(series)->hovered(QPointF(1.45, 29), true);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY(QToolTip::text().contains(QLatin1String("t = 1.50 s")));
}

void tst_StudioLayout::faultsAreMarkedOnTheTimeAxis()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    runUntil(window, scenario(QStringLiteral("node-failure")), 1.0);
    auto *rateChart = window.findChild<TimeSeriesChart *>(QStringLiteral("rateChart"));
    QVERIFY(rateChart->markers().isEmpty()); // the kill at 3 s has not happened yet
    window.findChild<QTableView *>(QStringLiteral("nodeView"))->selectRow(2);
    window.findChild<QAction *>(QStringLiteral("actionPartitionNode"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lastSnapshot().simSeconds >= 3.5, 20000);
    QStringList names;
    for (const TimeSeriesChart::Marker &marker : rateChart->markers())
        names.append(marker.name);
    QVERIFY2(names.contains(QLatin1String("partition node sim-2")), qPrintable(names.join(", ")));
    QVERIFY2(names.contains(QLatin1String("kill node sim-1")), qPrintable(names.join(", ")));
}

void tst_StudioLayout::chartsStartEmptyAfterAScenarioSwitch()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    runUntil(window, scenario(QStringLiteral("amplification")), 3.0);
    auto *rateChart = window.findChild<TimeSeriesChart *>(QStringLiteral("rateChart"));
    QVERIFY(rateChart->pointCount(0) > 5);

    window.startScenario(scenario(QStringLiteral("basics")));
    for (const TimeSeriesChart *chart : window.findChildren<TimeSeriesChart *>()) {
        for (int series = 0; series < chart->seriesCount(); ++series)
            QCOMPARE(chart->pointCount(series), 0);
    }
    QTRY_VERIFY_WITH_TIMEOUT(rateChart->pointCount(0) > 3, 20000);
    // Every point comes from the new run: none later than it has got.
    const double now = window.controller()->lastSnapshot().simSeconds;
    QVERIFY(now < 3.0);
    const auto *publishes = static_cast<const QXYSeries *>(rateChart->chart()->series().first());
    for (const QPointF &point : publishes->points())
        QVERIFY(point.x() <= now + 1e-9);
}

void tst_StudioLayout::exportsTheWholeDashboard()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    runUntil(window, scenario(QStringLiteral("basics")), 0.5);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("dashboard.png"));
    QVERIFY(window.exporter().saveDashboard(path));
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), window.size() * window.devicePixelRatio());
    const auto *rateChart = window.findChild<TimeSeriesChart *>(QStringLiteral("rateChart"));
    QVERIFY(image.width() > 2 * rateChart->width());
}

/// Runs every test on a 1280x800 offscreen screen.
int main(int argc, char *argv[])
{
    QTemporaryDir config;
    const QString path = config.filePath(QStringLiteral("screens.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QStringLiteral(R"({"screens": [{"name": "small", "x": 0, "y": 0, "width": %1, "height": %2,
                                         "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
                          .arg(ScreenSize.width())
                          .arg(ScreenSize.height())
                          .toUtf8())
            < 0)
        qFatal("cannot write %s", qPrintable(path));
    file.close();
    qputenv("QT_QPA_PLATFORM", QByteArray("offscreen:configfile=") + QFile::encodeName(path));
    QApplication app(argc, argv);
    tst_StudioLayout test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_studiolayout.moc"
