#include "recordingsession.h"
#include "registry/roomregistry.h"

#include <QTest>

using fanout::RoomRegistry;
using fanout::SessionProtocol;

class tst_Registry : public QObject
{
    Q_OBJECT
private slots:
    void firstJoinAndLastLeaveAreReported();
    void sessionInManyRooms();
    void removeReportsEmptiedRooms();
    void repeatedOperationsChangeNothing_data();
    void repeatedOperationsChangeNothing();
    void emptyRoomsDoNotPileUp();
};

void tst_Registry::firstJoinAndLastLeaveAreReported()
{
    RoomRegistry registry;
    RecordingSession a(QStringLiteral("a"), SessionProtocol::Room);
    RecordingSession b(QStringLiteral("b"), SessionProtocol::Room);

    const auto first = registry.join(&a, QStringLiteral("r"));
    QVERIFY(first.joined);
    QVERIFY(first.firstInRoom);
    const auto second = registry.join(&b, QStringLiteral("r"));
    QVERIFY(second.joined);
    QVERIFY(!second.firstInRoom);
    QCOMPARE(registry.memberCount(QStringLiteral("r")), 2);

    const auto leaveA = registry.leave(&a, QStringLiteral("r"));
    QVERIFY(leaveA.left);
    QVERIFY(!leaveA.lastInRoom);
    const auto leaveB = registry.leave(&b, QStringLiteral("r"));
    QVERIFY(leaveB.left);
    QVERIFY(leaveB.lastInRoom);
    QCOMPARE(registry.members(QStringLiteral("r")), nullptr);
}

void tst_Registry::sessionInManyRooms()
{
    RoomRegistry registry;
    RecordingSession a(QStringLiteral("a"), SessionProtocol::Typed);
    for (const char *room : {"x", "y", "z"})
        QVERIFY(registry.join(&a, QString::fromLatin1(room)).firstInRoom);
    QCOMPARE(registry.roomsOf(&a), QStringList({"x", "y", "z"}));
    QCOMPARE(registry.rooms(), QStringList({"x", "y", "z"}));
    QVERIFY(registry.contains(&a, QStringLiteral("y")));
    QVERIFY(!registry.contains(&a, QStringLiteral("w")));
    QCOMPARE(registry.sessionCount(), 1);
}

void tst_Registry::removeReportsEmptiedRooms()
{
    RoomRegistry registry;
    RecordingSession a(QStringLiteral("a"), SessionProtocol::Typed);
    RecordingSession b(QStringLiteral("b"), SessionProtocol::Typed);
    registry.join(&a, QStringLiteral("shared"));
    registry.join(&a, QStringLiteral("mine"));
    registry.join(&b, QStringLiteral("shared"));

    const auto removed = registry.remove(&a);
    QCOMPARE(removed.rooms, QStringList({"mine", "shared"}));
    QCOMPARE(removed.emptiedRooms, QStringList({"mine"}));
    QCOMPARE(registry.rooms(), QStringList({"shared"}));
    QCOMPARE(registry.sessionCount(), 1);
    QVERIFY(registry.remove(&a).rooms.isEmpty());
}

void tst_Registry::repeatedOperationsChangeNothing_data()
{
    QTest::addColumn<bool>("joinTwice");
    QTest::addRow("join twice") << true;
    QTest::addRow("leave a room not joined") << false;
}

void tst_Registry::repeatedOperationsChangeNothing()
{
    QFETCH(bool, joinTwice);
    RoomRegistry registry;
    RecordingSession a(QStringLiteral("a"), SessionProtocol::Room);
    registry.join(&a, QStringLiteral("r"));
    if (joinTwice) {
        const auto again = registry.join(&a, QStringLiteral("r"));
        QVERIFY(!again.joined);
        QVERIFY(!again.firstInRoom);
    } else {
        const auto leave = registry.leave(&a, QStringLiteral("other"));
        QVERIFY(!leave.left);
        QVERIFY(!leave.lastInRoom);
    }
    QCOMPARE(registry.memberCount(QStringLiteral("r")), 1);
    QCOMPARE(registry.roomCount(), 1);
}

void tst_Registry::emptyRoomsDoNotPileUp()
{
    RoomRegistry registry;
    RecordingSession a(QStringLiteral("a"), SessionProtocol::Room);
    for (int i = 0; i < 10000; ++i) {
        const QString room = QString::number(i);
        registry.join(&a, room);
        registry.leave(&a, room);
    }
    QCOMPARE(registry.roomCount(), 0);
    QCOMPARE(registry.sessionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_Registry)
#include "tst_registry.moc"
