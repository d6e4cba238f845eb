#include "broker/inprocessbus.h"
#include "console/inprocessconsole.h"

#include <QSignalSpy>
#include <QTest>

using namespace fanout;

class tst_Console : public QObject
{
    Q_OBJECT
private slots:
    void inProcessAnswersAsRedis();
};

void tst_Console::inProcessAnswersAsRedis()
{
    InProcessBus bus;
    InProcessConsole console(&bus);
    QSignalSpy answered(&console, &RedisConsole::answered);
    console.execute(QStringLiteral("PING"));
    console.execute(QStringLiteral("PUBLISH ws:room:none x"));
    console.execute(QStringLiteral("SUBSCRIBE ws:room:a"));
    QCOMPARE(answered.size(), 3);
    QCOMPARE(answered.at(0).at(1).toString(), QStringLiteral("PONG"));
    QCOMPARE(answered.at(1).at(1).toString(), QStringLiteral("(integer) 0"));
    QVERIFY(answered.at(2).at(1).toString().startsWith(QStringLiteral("(error)")));
}

QTEST_GUILESS_MAIN(tst_Console)
#include "tst_console.moc"
