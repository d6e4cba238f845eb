#include "nodeprocess.h"
#include "quiet.h"
#include "redisclient.h"
#include "testclient.h"
#include "usertesting.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace usertesting;

namespace {

/// The online list as `client` is told it, "user@node" in the answer's order.
QStringList onlineUsers(TestClient &client)
{
    QStringList online;
    const QJsonObject answer
        = ask(client, QStringLiteral(R"({"type":"get_online_users"})"), QStringLiteral("online_users"));
    for (const QJsonValue &user : answer.value("users").toArray())
        online.append(user["userId"].toString() + QLatin1Char('@') + user["serverId"].toString());
    return online;
}

/// The events of `type` about `user` that `client` received.
qsizetype eventsAbout(const TestClient &client, const QString &type, const QString &user)
{
    const QList<QJsonObject> events = client.ofType(type);
    return std::count_if(events.begin(), events.end(), [&user](const QJsonObject &event) {
        return event.value("user").toString() == user || event.value("userId").toString() == user;
    });
}

}

/// Users on fanout-node processes sharing a real redis-server: presence fleet-wide and direct
/// messages between users (docs/protocol.md, "Presence", "Direct messages").
class tst_Presence : public QObject, private UserFleet
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void presenceCountsTabs();
    void presenceEventsOncePerTransition();
    void presenceOfAKilledNode();
    void presenceNamespacesKeepFleetsApart();
    void directMessages();
};

void tst_Presence::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Presence::init()
{
    // Presence sets outlive the nodes that wrote them (until their TTL).
    QCOMPARE(m_redis.cli({"FLUSHALL"}).trimmed(), QStringLiteral("OK"));
}

void tst_Presence::cleanup()
{
    m_clients.clear();
    m_nodes.clear();
}

void tst_Presence::presenceCountsTabs()
{
    // alice has three tabs on two nodes, bob one on a third: each is one user, counted per
    // connection, whichever node is asked.
    QVERIFY(startFleet(3));
    const qint64 bobBefore = nowMs();
    TestClient *bob = connectUser(2, "bob", {Room});
    QVERIFY(bob);
    const qint64 bobAfter = nowMs();
    const qint64 aliceBefore = nowMs();
    TestClient *aliceFirst = connectUser(0, "alice", {Room});
    QVERIFY(aliceFirst);
    const qint64 aliceAfter = nowMs();
    QVERIFY(connectUser(1, "alice", {Room}));
    QVERIFY(connectUser(1, "alice", {Room}));
    connectUser(1, "carol", {"elsewhere"}); // online, but not in the room

    const QStringList expected {"alice:3", "bob:1"}; // sorted by user, though bob came first
    QTRY_COMPARE(presenceCounts(*aliceFirst, Room), expected);
    QCOMPARE(presenceCounts(*bob, Room), expected);

    const QJsonArray users = ask(*bob, roomFrame("presence", Room), "presence").value("users").toArray();
    QCOMPARE(users.size(), 2);
    const qint64 aliceSince = users.at(0)["since"].toInteger();
    const qint64 bobSince = users.at(1)["since"].toInteger();
    QVERIFY2(aliceSince >= aliceBefore && aliceSince <= aliceAfter, // her first tab's, not a later one's
             qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(aliceSince).arg(aliceBefore).arg(aliceAfter)));
    QVERIFY2(bobSince >= bobBefore && bobSince <= bobAfter,
             qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(bobSince).arg(bobBefore).arg(bobAfter)));

    const QJsonObject refused = ask(*bob, roomFrame("presence", "elsewhere"), "error");
    QCOMPARE(refused["code"].toString(), QStringLiteral("not_joined"));
    QTRY_COMPARE(onlineUsers(*bob), QStringList({"alice@n0", "alice@n1", "bob@n2", "carol@n1"}));
    const QJsonObject online = ask(*bob, R"({"type":"get_online_users"})", "online_users");
    for (const QJsonValue &entry : online["users"].toArray()) {
        QVERIFY(entry["connectedAt"].toInteger() >= bobBefore);
        QVERIFY(entry["lastSeen"].toInteger() >= entry["connectedAt"].toInteger());
        QVERIFY(entry["lastSeen"].toInteger() <= nowMs());
    }
}

void tst_Presence::presenceEventsOncePerTransition()
{
    // One member on each node watches the room while alice opens three tabs on three nodes and
    // closes them: one presence_joined and one presence_left each, however many tabs.
    QVERIFY(startFleet(3));
    std::vector<TestClient *> watchers;
    for (int node = 0; node < 3; ++node) {
        watchers.push_back(connectUser(node, QStringLiteral("watcher%1").arg(node), {Room}));
        QVERIFY(watchers.back());
    }
    const auto each = [&watchers](const QString &type, qsizetype count) {
        return std::all_of(watchers.begin(), watchers.end(),
                           [&](TestClient *watcher) { return eventsAbout(*watcher, type, "alice") == count; });
    };
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("ws:room:" + Room.toUtf8()), 3);

    std::vector<TestClient *> tabs;
    tabs.push_back(connectUser(0, "alice", {Room}));
    QVERIFY(tabs.back());
    QTRY_VERIFY(each("presence_joined", 1));
    QVERIFY(watchers.at(2)
                ->ofType("presence_joined")
                .contains(QJsonObject({{"type", "presence_joined"}, {"room", Room}, {"user", "alice"}})));

    for (int node : {1, 2}) {
        tabs.push_back(connectUser(node, "alice", {Room}));
        QVERIFY(tabs.back());
    }
    QTRY_VERIFY(presenceCounts(*watchers.at(0), Room).contains("alice:3"));
    QTRY_VERIFY(each("user_joined", 3)); // per connection, named by the user
    QVERIFY2(Quiet::holdsFor(500, [&] { return each("presence_joined", 1); }), "a second presence_joined");

    tabs.at(0)->close();
    tabs.at(1)->close();
    QTRY_VERIFY(presenceCounts(*watchers.at(0), Room).contains("alice:1"));
    QTRY_VERIFY(each("user_left", 2));
    QVERIFY2(Quiet::holdsFor(500, [&] { return each("presence_left", 0); }), "presence_left with a tab open");

    tabs.at(2)->close();
    QTRY_VERIFY(each("presence_left", 1));
    QVERIFY(watchers.at(0)
                ->ofType("presence_left")
                .contains(QJsonObject({{"type", "presence_left"}, {"room", Room}, {"user", "alice"}})));
    QVERIFY2(Quiet::holdsFor(500, [&] { return each("presence_left", 1) && each("presence_joined", 1); }),
             "a transition told twice");
    QCOMPARE(presenceCounts(*watchers.at(0), Room), QStringList({"watcher0:1", "watcher1:1", "watcher2:1"}));
}

void tst_Presence::presenceNamespacesKeepFleetsApart()
{
    // Two applications on one Redis, each with its own prefixes and presence namespace: neither
    // sees the other's users online nor hears its connected/disconnected events.
    QVERIFY(startFleet(1, {"--prefix", "a:room:", "--user-prefix", "a:user:", "--presence-namespace", "a:presence"}));
    auto other = std::make_unique<NodeProcess>();
    QVERIFY2(other->start({"--host", "127.0.0.1", "--port", "0", "--redis", m_redis.urlString(), "--node-id", "b0",
                           "--token-secret", QString::fromLatin1(Secret), "--prefix", "b:room:", "--user-prefix",
                           "b:user:", "--presence-namespace", "b:presence"}),
             qPrintable(other->errorString()));
    m_nodes.push_back(std::move(other));
    TestClient *watcherA = connectUser(0, "watcher-a");
    TestClient *watcherB = connectUser(1, "watcher-b");
    QVERIFY(watcherA && watcherB);
    watcherA->send(R"({"type":"watch_presence"})");
    watcherB->send(R"({"type":"watch_presence"})");
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("a:presence:updates"), 1);
    QTRY_COMPARE(redis.numsub("b:presence:updates"), 1);

    TestClient *alice = connectUser(0, "alice", {Room});
    TestClient *bob = connectUser(1, "bob", {Room});
    QVERIFY(alice && bob);
    QTRY_COMPARE(onlineUsers(*alice), QStringList({"alice@n0", "watcher-a@n0"}));
    QTRY_COMPARE(onlineUsers(*bob), QStringList({"bob@b0", "watcher-b@b0"}));
    QTRY_COMPARE(eventsAbout(*watcherA, "presence", "alice"), 1);
    QTRY_COMPARE(eventsAbout(*watcherB, "presence", "bob"), 1);
    QCOMPARE(redis.command({"HLEN", "{a:presence}:online"}).integer, 2);
    QCOMPARE(redis.command({"EXISTS", "{presence}:online"}).integer, 0);
    QVERIFY(Quiet::holdsFor(200, [&] {
        return eventsAbout(*watcherA, "presence", "bob") == 0 && eventsAbout(*watcherB, "presence", "alice") == 0;
    }));
}

void tst_Presence::presenceOfAKilledNode()
{
    // A node that dies cannot say its users left: its entries expire, and a surviving node's
    // sweep announces them, once, within the TTL and one refresh period.
    constexpr int TtlSeconds = 2;
    constexpr int RefreshMs = TtlSeconds * 1000 / 3;
    constexpr int MarginMs = 2000; // two cores shared with a build
    QVERIFY(startFleet(3, {"--presence-ttl", QString::number(TtlSeconds)}));
    TestClient *alice = connectUser(0, "alice", {Room});
    QVERIFY(alice);
    TestClient *watcher = connectUser(1, "watcher", {Room});
    QVERIFY(watcher);
    watcher->send(R"({"type":"watch_presence"})");
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("presence:updates"), 1);

    TestClient *bob = connectUser(2, "bob", {Room});
    QVERIFY(bob);
    const QJsonObject connected {{"type", "presence"}, {"event", "connected"}, {"userId", "bob"}, {"serverId", "n2"}};
    QTRY_VERIFY(watcher->ofType("presence").contains(connected));
    QTRY_COMPARE(presenceCounts(*alice, Room), QStringList({"alice:1", "bob:1", "watcher:1"}));
    QVERIFY(onlineUsers(*alice).contains("bob@n2"));

    m_nodes.at(2)->process().kill();
    QElapsedTimer sinceKill;
    sinceKill.start();
    QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(*alice, "presence_left", "bob"), 1, TtlSeconds * 1000 + RefreshMs + MarginMs);
    qInfo("presence_left %lld ms after the kill", sinceKill.elapsed());
    QTRY_COMPARE(eventsAbout(*watcher, "presence_left", "bob"), 1);
    QCOMPARE(presenceCounts(*alice, Room), QStringList({"alice:1", "watcher:1"}));
    const QJsonObject disconnected {
        {"type", "presence"}, {"event", "disconnected"}, {"userId", "bob"}, {"serverId", "n2"}};
    QTRY_VERIFY_WITH_TIMEOUT(watcher->ofType("presence").contains(disconnected),
                             TtlSeconds * 1000 + RefreshMs + MarginMs);
    QTRY_VERIFY(!onlineUsers(*alice).contains("bob@n2"));
    QCOMPARE(onlineUsers(*watcher), QStringList({"alice@n0", "watcher@n1"}));
    // Both survivors sweep the room and the online list: still one event each.
    QVERIFY2(Quiet::holdsFor(RefreshMs * 2,
                             [&] {
                                 return eventsAbout(*alice, "presence_left", "bob") == 1
                                     && eventsAbout(*watcher, "presence_left", "bob") == 1
                                     && watcher->ofType("presence").count(disconnected) == 1;
                             }),
             "a death announced twice");
}

void tst_Presence::directMessages()
{
    // alice has a tab on n0 and two on n1: bob's message reaches each tab once, nobody else,
    // and bob learns that two nodes hold alice.
    QVERIFY(startFleet(3));
    std::vector<TestClient *> aliceTabs {connectUser(0, "alice"), connectUser(1, "alice"), connectUser(1, "alice")};
    for (TestClient *tab : aliceTabs)
        QVERIFY(tab);
    TestClient *carol = connectUser(0, "carol");
    QVERIFY(carol);
    TestClient *bob = connectUser(2, "bob");
    QVERIFY(bob);
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("ws:user:alice"), 2);

    const qint64 before = nowMs();
    const QJsonObject sent
        = ask(*bob, R"({"type":"direct_message","to":"alice","content":{"text":"hi","n":1}})", "direct_message_sent");
    QCOMPARE(sent, QJsonObject({{"type", "direct_message_sent"}, {"to", "alice"}, {"nodes", 2}}));
    for (TestClient *tab : aliceTabs) {
        QTRY_COMPARE(tab->ofType("direct_message").size(), 1);
        const QJsonObject message = tab->ofType("direct_message").first();
        QCOMPARE(message["from"].toString(), QStringLiteral("bob"));
        QCOMPARE(message["content"].toObject(), QJsonObject({{"text", "hi"}, {"n", 1}}));
        QVERIFY(message["ts"].toInteger() >= before && message["ts"].toInteger() <= nowMs());
    }
    QVERIFY2(Quiet::holdsFor(
                 300,
                 [&] {
                     return std::all_of(aliceTabs.begin(), aliceTabs.end(),
                                        [](TestClient *tab) { return tab->ofType("direct_message").size() == 1; })
                         && carol->ofType("direct_message").isEmpty() && bob->ofType("direct_message").isEmpty();
                 }),
             "a direct message delivered twice or to someone else");

    QCOMPARE(ask(*bob, R"({"type":"direct_message","to":"nobody","content":1})", "direct_message_sent"),
             QJsonObject({{"type", "direct_message_sent"}, {"to", "nobody"}, {"nodes", 0}}));
    for (const QString &to : {QStringLiteral("\"\""), QStringLiteral("42"), '"' + QString(129, 'u') + '"'}) {
        const QJsonObject error
            = ask(*bob, QStringLiteral(R"({"type":"direct_message","to":%1,"content":1})").arg(to), "error");
        QCOMPARE(error["code"].toString(), QStringLiteral("invalid_user"));
    }

    TestClient *anonymous = connectTyped(typedUrl(0));
    QVERIFY(anonymous);
    const QJsonObject refused = ask(*anonymous, R"({"type":"direct_message","to":"alice","content":1})", "error");
    QCOMPARE(refused["code"].toString(), QStringLiteral("auth_required"));
    QVERIFY(Quiet::holdsFor(300, [&] { return aliceTabs.front()->ofType("direct_message").size() == 1; }));
}

QTEST_GUILESS_MAIN(tst_Presence)
#include "tst_presence.moc"
