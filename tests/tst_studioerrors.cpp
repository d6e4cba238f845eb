#include "brokerwait.h"
#include "mainwindow.h"
#include "setupprogress.h"
#include "simulationcontroller.h"
#include "widgets/fleetdialog.h"
#include "widgets/fleetview.h"
#include "windowtesting.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using fanout::SimNodeState;

namespace {

/// An address where nothing listens: connections to it are refused at once.
const QString RefusingRedis = QStringLiteral("redis://127.0.0.1:1");

QProcessEnvironment offscreen(const QString &configHome)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome);
    return environment;
}

}

class tst_StudioErrors : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void invalidRedisUrlIsExplainedBesideTheField_data();
    void invalidRedisUrlIsExplainedBesideTheField();
    void badScenarioOpensTheWindowAndShowsTheError();
    void badScenarioWithoutAWindowExits2_data();
    void badScenarioWithoutAWindowExits2();
    void unreachableRedisSaysWhyAndGivesUp();
    void brokerBoxShowsTheBrokersState_data();
    void brokerBoxShowsTheBrokersState();
};

void tst_StudioErrors::initTestCase()
{
    windowtesting::useOwnSettings("StudioErrors");
}

void tst_StudioErrors::invalidRedisUrlIsExplainedBesideTheField_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("reason"); ///< empty: the URL is valid
    QTest::newRow("valid") << QStringLiteral("redis://127.0.0.1:6379") << QString();
    QTest::newRow("port not a number") << QStringLiteral("redis://localhost:abc") << QStringLiteral("not of the form");
    QTest::newRow("other scheme") << QStringLiteral("http://localhost:6379") << QStringLiteral("the scheme must be");
    QTest::newRow("sentinel without master")
        << QStringLiteral("redis+sentinel://localhost:26379") << QStringLiteral("the master name is missing");
}

void tst_StudioErrors::invalidRedisUrlIsExplainedBesideTheField()
{
    QFETCH(QString, url);
    QFETCH(QString, reason);
    FleetDialog dialog(fanout::Scenario {}, url);
    dialog.show();
    auto *label = dialog.findChild<QLabel *>(QStringLiteral("urlError"));
    QVERIFY(label);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    if (reason.isEmpty()) {
        QVERIFY(!label->isVisible());
        QVERIFY(ok->isEnabled());
        return;
    }
    QVERIFY(label->isVisible());
    QVERIFY2(label->text().startsWith(QLatin1String("Not a Redis URL: ")) && label->text().contains(reason),
             qPrintable(label->text()));
    QVERIFY2(!label->text().contains(QLatin1String("source was")), "QUrl's internals");
    QVERIFY(label->text().contains(QLatin1String("redis://host:port")));
    QVERIFY(!ok->isEnabled());
}

void tst_StudioErrors::badScenarioOpensTheWindowAndShowsTheError()
{
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"nodes": "three"})");
    file.close();
    QProcess studio;
    studio.setProcessEnvironment(offscreen(dir.path()));
    studio.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray output;
    connect(&studio, &QProcess::readyRead, this, [&] { output += studio.readAll(); });
    studio.start(QStringLiteral(FANOUT_STUDIO_PATH), {QStringLiteral("--scenario"), bad});
    // The error, then the window's fleet (the basics scenario) connecting: the studio runs on.
    QTRY_VERIFY_WITH_TIMEOUT(output.contains("nodes: must be a number (the window opens on basics)"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(output.contains("sim-0 broker connected"), 10000);
    QCOMPARE(studio.state(), QProcess::Running);
    studio.kill();
    QVERIFY(studio.waitForFinished(5000));
}

void tst_StudioErrors::badScenarioWithoutAWindowExits2_data()
{
    QTest::addColumn<QStringList>("mode");
    QTest::newRow("headless") << QStringList {QStringLiteral("--headless")};
    QTest::newRow("screenshot") << QStringList {QStringLiteral("--screenshot"), QStringLiteral("shot.png")};
}

void tst_StudioErrors::badScenarioWithoutAWindowExits2()
{
    QFETCH(QStringList, mode);
    QTemporaryDir dir;
    QProcess studio;
    studio.setProcessEnvironment(offscreen(dir.path()));
    studio.setWorkingDirectory(dir.path());
    studio.start(QStringLiteral(FANOUT_STUDIO_PATH),
                 mode + QStringList {QStringLiteral("--scenario"), dir.filePath(QStringLiteral("missing.json"))});
    QVERIFY(studio.waitForFinished(10000));
    QCOMPARE(studio.exitCode(), 2);
    QVERIFY(studio.readAllStandardError().contains("missing.json"));
}

void tst_StudioErrors::unreachableRedisSaysWhyAndGivesUp()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    std::optional<fanout::Scenario> basics = fanout::Scenario::load(QStringLiteral("basics"), &error);
    QVERIFY2(basics, qPrintable(error));
    basics->lesson.clear();
    window.startScenario(*basics, RefusingRedis);
    auto *progress = window.findChild<QProgressDialog *>(QStringLiteral("setUpProgress"));
    QVERIFY(progress);
    QTRY_VERIFY_WITH_TIMEOUT(progress->labelText().contains(QLatin1String("Connection refused")), 5000);

    QMessageBox *failure = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((failure = window.findChild<QMessageBox *>(QStringLiteral("connectFailedBox")))
                                 && failure->isVisible(),
                             BrokerWait::TimeoutMs + 5000);
    QVERIFY(failure->text().contains(QLatin1String("did not connect to")));
    QVERIFY2(failure->informativeText().contains(QLatin1String("Connection refused")),
             qPrintable(failure->informativeText()));
    QVERIFY(!window.setUpProgress()->brokerWait().isWaiting()); // it gave up

    failure->button(QMessageBox::Retry)->click();
    QTRY_VERIFY(window.setUpProgress()->brokerWait().isWaiting());
    QCOMPARE(window.controller()->redisUrl(), RefusingRedis);
}

void tst_StudioErrors::brokerBoxShowsTheBrokersState_data()
{
    QTest::addColumn<bool>("brokerUp");
    QTest::addColumn<QList<SimNodeState>>("nodes");
    QTest::addColumn<QString>("state"); ///< the color of the node state it takes, or "reachable"
    QTest::newRow("every node linked") << true << QList {SimNodeState::Up, SimNodeState::Up} << "reachable";
    QTest::newRow("one node linked") << true << QList {SimNodeState::LocalOnly, SimNodeState::Up} << "reachable";
    QTest::newRow("no node reaches it") << true
                                        << QList {SimNodeState::LocalOnly, SimNodeState::LocalOnly, SimNodeState::Down}
                                        << "unreachable";
    QTest::newRow("partitioned by a fault")
        << true << QList {SimNodeState::Partitioned, SimNodeState::Partitioned} << "reachable";
    QTest::newRow("broker down") << false << QList {SimNodeState::LocalOnly} << "down";
}

void tst_StudioErrors::brokerBoxShowsTheBrokersState()
{
    QFETCH(bool, brokerUp);
    QFETCH(QList<SimNodeState>, nodes);
    QFETCH(QString, state);
    fanout::SimSnapshot snapshot;
    snapshot.brokerUp = brokerUp;
    for (const SimNodeState nodeState : nodes) {
        fanout::SimNodeSnapshot node;
        node.index = int(snapshot.nodes.size());
        node.state = nodeState;
        snapshot.nodes.push_back(node);
    }
    FleetView view;
    const QColor reachable = view.brokerColor();
    view.setSnapshot(snapshot);
    fanout::SimSnapshot allDown;
    allDown.brokerUp = false;
    FleetView downView;
    downView.setSnapshot(allDown);
    fanout::SimSnapshot cut;
    cut.nodes.resize(1);
    cut.nodes[0].state = SimNodeState::LocalOnly;
    FleetView cutView;
    cutView.setSnapshot(cut);
    const QMap<QString, QColor> colors {{QStringLiteral("reachable"), reachable},
                                        {QStringLiteral("unreachable"), cutView.brokerColor()},
                                        {QStringLiteral("down"), downView.brokerColor()}};
    QCOMPARE(QSet<QRgb>({reachable.rgb(), cutView.brokerColor().rgb(), downView.brokerColor().rgb()}).size(), 3);
    QCOMPARE(view.brokerColor(), colors.value(state));
}

QTEST_MAIN(tst_StudioErrors)
#include "tst_studioerrors.moc"
