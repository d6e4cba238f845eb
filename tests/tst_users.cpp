#include "node/sessionauth.h"
#include "node/tokenverifier.h"
#include "nodeprocess.h"
#include "quiet.h"
#include "redisclient.h"
#include "redisserver.h"
#include "testclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

using fanout::SessionAuth;
using fanout::TokenVerifier;

namespace {

const QByteArray Secret = "users test secret";
const QString Room = QStringLiteral("team");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

/// A token of `user`, expiring at `expSeconds` (never without), signed with `key`.
QByteArray tokenOf(const QString &user, std::optional<qint64> expSeconds = {}, const QByteArray &key = Secret)
{
    QJsonObject claims {{"sub", user}};
    if (expSeconds)
        claims.insert("exp", double(*expSeconds));
    return TokenVerifier::sign(key, claims);
}

/// A token of `user` that expires at least `ms` from now ("exp" is in whole seconds).
QByteArray tokenExpiringIn(const QString &user, qint64 ms)
{
    return tokenOf(user, (nowMs() + ms + 999) / 1000);
}

/// When a token from tokenExpiringIn() expires, in ms since the epoch.
qint64 expiryOf(const QByteArray &token)
{
    const QByteArray payload = QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding);
    return qint64(QJsonDocument::fromJson(payload).object().value("exp").toDouble()) * 1000;
}

QJsonObject parsed(const QString &frame)
{
    return QJsonDocument::fromJson(frame.toUtf8()).object();
}

QString authFrame(const QByteArray &token)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject {{"type", "auth"}, {"token", QString::fromLatin1(token)}})
                                 .toJson(QJsonDocument::Compact));
}

QString roomFrame(const char *type, const QString &room)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonObject {{"type", type}, {"room", room}}).toJson(QJsonDocument::Compact));
}

/// Frames of `type` that answer a request. Presence answers and watch_presence events share the
/// type "presence": only the events carry an "event".
QList<QJsonObject> answersOf(const TestClient &client, const QString &type)
{
    QList<QJsonObject> answers = client.ofType(type);
    answers.removeIf([](const QJsonObject &frame) { return frame.contains(QLatin1String("event")); });
    return answers;
}

/// Sends `request` and returns the first `answerType` frame after it; an empty object when none
/// came in time.
QJsonObject ask(TestClient &client, const QString &request, const QString &answerType)
{
    const qsizetype before = answersOf(client, answerType).size();
    client.send(request);
    if (!QTest::qWaitFor([&] { return answersOf(client, answerType).size() > before; }, 5000))
        return {};
    return answersOf(client, answerType).at(before);
}

/// The presence of `room` as `client` is told it, "user:connections" in the answer's order.
QStringList presenceCounts(TestClient &client, const QString &room)
{
    QStringList counts;
    const QJsonObject answer = ask(client, roomFrame("presence", room), QStringLiteral("presence"));
    for (const QJsonValue &user : answer.value("users").toArray()) {
        counts.append(user["user"].toString() + QLatin1Char(':') + QString::number(user["connections"].toInteger()));
    }
    return counts;
}

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

/// The status line a node answers a WebSocket upgrade of `target` with, read off a raw socket.
QByteArray upgradeStatus(const QUrl &node, const QString &target)
{
    QTcpSocket socket;
    socket.connectToHost(node.host(), quint16(node.port()));
    if (!socket.waitForConnected(5000))
        return "not connected: " + socket.errorString().toUtf8();
    socket.write("GET " + target.toUtf8() + " HTTP/1.1\r\nHost: " + node.authority().toUtf8()
                 + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    QByteArray response;
    while (!response.contains("\r\n") && socket.waitForReadyRead(5000))
        response += socket.readAll();
    return response.left(response.indexOf("\r\n"));
}

}

/// Users on fanout-node processes sharing a real redis-server: verified identity, presence
/// fleet-wide, direct messages (docs/protocol.md, "Identity", "Presence", "Direct messages").
class tst_Users : public QObject
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
    void tokenOnConnect_data();
    void tokenOnConnect();
    void frameBeforeAuth();
    void tokenExpiresWhileOpen_data();
    void tokenExpiresWhileOpen();
    void roomModeUpgrade_data();
    void roomModeUpgrade();
    void roomModeWithToken();
    void noAuthWithinTimeout();
    void withoutSecret();
    void spoofedFrom_data();
    void spoofedFrom();

private:
    bool startFleet(int count, const QStringList &extra = {}, bool withSecret = true);
    QUrl typedUrl(int node, const QByteArray &token = {}) const;
    /// A typed connection to `node`, authenticated as `user` with a token on its URL, in `rooms`;
    /// nullptr when that failed.
    TestClient *connectUser(int node, const QString &user, const QStringList &rooms = {});
    /// A typed connection to `url` that has received its welcome; nullptr when that failed.
    TestClient *connectTyped(const QUrl &url);
    bool join(TestClient *client, const QString &room);

    RedisServer m_redis;
    std::vector<std::unique_ptr<NodeProcess>> m_nodes;
    std::vector<std::unique_ptr<TestClient>> m_clients;
};

void tst_Users::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Users::init()
{
    // Presence sets outlive the nodes that wrote them (until their TTL).
    QCOMPARE(m_redis.cli({"FLUSHALL"}).trimmed(), QStringLiteral("OK"));
}

void tst_Users::cleanup()
{
    m_clients.clear();
    m_nodes.clear();
}

bool tst_Users::startFleet(int count, const QStringList &extra, bool withSecret)
{
    m_nodes.clear();
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<NodeProcess>();
        QStringList arguments {"--host",  "127.0.0.1",         "--port",    "0",
                               "--redis", m_redis.urlString(), "--node-id", QStringLiteral("n%1").arg(i)};
        if (withSecret)
            arguments += {"--token-secret", QString::fromLatin1(Secret)};
        if (!node->start(arguments + extra)) {
            qWarning("%s", qPrintable(node->errorString()));
            return false;
        }
        m_nodes.push_back(std::move(node));
    }
    return true;
}

QUrl tst_Users::typedUrl(int node, const QByteArray &token) const
{
    QUrl url = m_nodes.at(size_t(node))->url();
    url.setPath(QStringLiteral("/rooms"));
    if (!token.isEmpty())
        url.setQuery(QStringLiteral("token=") + QString::fromLatin1(token));
    return url;
}

TestClient *tst_Users::connectTyped(const QUrl &url)
{
    auto client = std::make_unique<TestClient>();
    if (!client->open(url) || !QTest::qWaitFor([&] { return !client->ofType("welcome").isEmpty(); }, 5000))
        return nullptr;
    m_clients.push_back(std::move(client));
    return m_clients.back().get();
}

TestClient *tst_Users::connectUser(int node, const QString &user, const QStringList &rooms)
{
    TestClient *client = connectTyped(typedUrl(node, tokenOf(user)));
    if (!client || !QTest::qWaitFor([client] { return !client->ofType("authenticated").isEmpty(); }, 5000))
        return nullptr;
    for (const QString &room : rooms) {
        if (!join(client, room))
            return nullptr;
    }
    return client;
}

bool tst_Users::join(TestClient *client, const QString &room)
{
    const auto joined = [client, room] {
        const QList<QJsonObject> acks = client->ofType("joined");
        return std::count_if(acks.begin(), acks.end(), [&room](const QJsonObject &ack) { return ack["room"] == room; });
    };
    const qsizetype before = joined();
    client->send(roomFrame("join", room));
    return QTest::qWaitFor([&] { return joined() > before; }, 5000);
}

void tst_Users::presenceCountsTabs()
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

void tst_Users::presenceEventsOncePerTransition()
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

void tst_Users::presenceNamespacesKeepFleetsApart()
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
    QCOMPARE(eventsAbout(*watcherA, "presence", "bob"), 0);
    QCOMPARE(eventsAbout(*watcherB, "presence", "alice"), 0);
}

void tst_Users::presenceOfAKilledNode()
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

void tst_Users::directMessages()
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

void tst_Users::tokenOnConnect_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("onUrl");
    QTest::addColumn<int>("closeCode"); // 0: accepted

    const QByteArray valid = tokenOf("alice");
    const QList<QByteArray> parts = valid.split('.');
    const struct {
        const char *name;
        QByteArray token;
        int closeCode;
    } rows[] = {
        {"valid", valid, 0},
        {"valid, expiring in an hour", tokenExpiringIn("alice", 3'600'000), 0},
        {"wrong key", tokenOf("alice", {}, "another secret"), SessionAuth::CloseUnauthorized},
        {"alg none", base64Url(R"({"alg":"none","typ":"JWT"})") + '.' + parts[1] + '.', SessionAuth::CloseUnauthorized},
        {"tampered payload", parts[0] + '.' + base64Url(R"({"sub":"mallory"})") + '.' + parts[2],
         SessionAuth::CloseUnauthorized},
        {"malformed", "not-a-token", SessionAuth::CloseUnauthorized},
        {"expired", tokenOf("alice", nowMs() / 1000 - 60), SessionAuth::CloseTokenExpired},
    };
    for (const auto &row : rows) {
        QTest::addRow("%s, on the URL", row.name) << row.token << true << row.closeCode;
        QTest::addRow("%s, in an auth frame", row.name) << row.token << false << row.closeCode;
    }
}

void tst_Users::tokenOnConnect()
{
    QFETCH(QByteArray, token);
    QFETCH(bool, onUrl);
    QFETCH(int, closeCode);
    QVERIFY(startFleet(1));

    TestClient client;
    QVERIFY(client.open(typedUrl(0, onUrl ? token : QByteArray())));
    if (!onUrl) {
        QTRY_COMPARE(client.ofType("welcome").size(), 1);
        client.send(authFrame(token));
    }
    if (closeCode != 0) {
        QTRY_VERIFY(!client.isConnected());
        QCOMPARE(int(client.closeCode()), closeCode);
        QVERIFY(client.ofType("authenticated").isEmpty());
        return;
    }
    QTRY_COMPARE(client.ofType("authenticated").size(), 1);
    QCOMPARE(client.ofType("authenticated").first(),
             QJsonObject({{"type", "authenticated"}, {"user", "alice"}, {"verified", true}}));
    QCOMPARE(parsed(client.messages().first())["type"].toString(), QStringLiteral("welcome"));
    QVERIFY(join(&client, Room));
}

void tst_Users::frameBeforeAuth()
{
    QVERIFY(startFleet(1));
    TestClient *client = connectTyped(typedUrl(0));
    QVERIFY(client);
    for (const char *frame : {R"({"type":"join","room":"team"})", R"({"type":"get_online_users"})",
                              R"({"type":"direct_message","to":"bob","content":1})"}) {
        const QJsonObject error = ask(*client, frame, "error");
        QCOMPARE(error["code"].toString(), QStringLiteral("auth_required"));
    }
    QVERIFY(client->ofType("joined").isEmpty());
    const QJsonObject authenticated = ask(*client, authFrame(tokenOf("alice")), "authenticated");
    QCOMPARE(authenticated, QJsonObject({{"type", "authenticated"}, {"user", "alice"}, {"verified", true}}));
    QVERIFY(join(client, Room));
    QVERIFY(client->isConnected());
}

void tst_Users::tokenExpiresWhileOpen_data()
{
    QTest::addColumn<QString>("refreshUser"); // empty: no fresh auth frame
    QTest::addColumn<int>("closeCode");
    QTest::addRow("no refresh") << QString() << SessionAuth::CloseTokenExpired;
    QTest::addRow("fresh token") << QStringLiteral("alice") << SessionAuth::CloseTokenExpired;
    QTest::addRow("fresh token of another user") << QStringLiteral("mallory") << SessionAuth::CloseUnauthorized;
}

void tst_Users::tokenExpiresWhileOpen()
{
    QFETCH(QString, refreshUser);
    QFETCH(int, closeCode);
    QVERIFY(startFleet(1));

    const QByteArray token = tokenExpiringIn("alice", 2000);
    const qint64 expiry = expiryOf(token);
    TestClient *client = connectTyped(typedUrl(0, token));
    QVERIFY(client);
    QTRY_COMPARE(client->ofType("authenticated").size(), 1);
    qint64 closesAt = expiry;
    if (!refreshUser.isEmpty()) {
        const QByteArray fresh = tokenOf(refreshUser, expiry / 1000 + 2);
        client->send(authFrame(fresh));
        if (closeCode == SessionAuth::CloseUnauthorized) {
            QTRY_VERIFY(!client->isConnected());
            QCOMPARE(int(client->closeCode()), closeCode);
            QVERIFY(nowMs() < expiry);
            return;
        }
        QTRY_COMPARE(client->ofType("authenticated").size(), 2);
        QCOMPARE(client->ofType("authenticated").last()["user"].toString(), QStringLiteral("alice"));
        closesAt = expiryOf(fresh);
    }
    // The expiry is the contract: the connection holds up to it (refreshed, well past the first).
    const qint64 holdsUntil = closesAt - 300;
    QVERIFY2(Quiet::holdsFor(int(holdsUntil - nowMs()), [client] { return client->isConnected(); }),
             qPrintable(QStringLiteral("closed %1 ms before its token expired").arg(closesAt - nowMs())));
    QTRY_VERIFY_WITH_TIMEOUT(!client->isConnected(), 3000);
    QCOMPARE(int(client->closeCode()), closeCode);
    QVERIFY(nowMs() >= closesAt);
}

void tst_Users::roomModeUpgrade_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("status");
    const QString token = QString::fromLatin1(tokenOf("alice"));
    QTest::addRow("no token") << QStringLiteral("/?room=lobby") << QByteArray("HTTP/1.1 401 Unauthorized");
    QTest::addRow("default room, no token") << QStringLiteral("/") << QByteArray("HTTP/1.1 401 Unauthorized");
    QTest::addRow("empty token") << QStringLiteral("/?room=lobby&token=") << QByteArray("HTTP/1.1 401 Unauthorized");
    QTest::addRow("token without a value")
        << QStringLiteral("/?room=lobby&token") << QByteArray("HTTP/1.1 401 Unauthorized");
    QTest::addRow("token") << QStringLiteral("/?room=lobby&token=") + token
                           << QByteArray("HTTP/1.1 101 Switching Protocols");
    QTest::addRow("typed mode authenticates later")
        << QStringLiteral("/rooms") << QByteArray("HTTP/1.1 101 Switching Protocols");
}

void tst_Users::roomModeUpgrade()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, status);
    QVERIFY(startFleet(1));
    QCOMPARE(upgradeStatus(m_nodes.at(0)->url(), target), status);
}

void tst_Users::roomModeWithToken()
{
    // Room mode has no frames to authenticate with: a QWebSocket without a token never
    // connects; with one it is in its room at once.
    QVERIFY(startFleet(2));
    QUrl refusedUrl = m_nodes.at(0)->url();
    refusedUrl.setQuery(QStringLiteral("room=lobby"));
    QWebSocket refused;
    QSignalSpy refusedErrors(&refused,
                             qOverload<QAbstractSocket::SocketError>(&QWebSocket::error)); // errorOccurred from Qt 6.5
    QSignalSpy refusedConnected(&refused, &QWebSocket::connected);
    refused.open(refusedUrl);
    QTRY_VERIFY(!refusedErrors.isEmpty());
    QVERIFY(refusedConnected.isEmpty());

    std::vector<std::unique_ptr<TestClient>> members;
    for (const QString &user : {QStringLiteral("alice"), QStringLiteral("bob")}) {
        QUrl url = m_nodes.at(members.size())->url();
        url.setQuery(QStringLiteral("room=lobby&token=") + QString::fromLatin1(tokenOf(user)));
        members.push_back(std::make_unique<TestClient>());
        QVERIFY(members.back()->open(url));
    }
    TestClient *typed = connectUser(1, "carol", {"lobby"});
    QVERIFY(typed);
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("ws:room:lobby"), 2);

    members.at(0)->send(R"({"hello":1})");
    for (auto &member : members)
        QTRY_COMPARE(member->messages(), QStringList({R"({"hello":1})"}));
    QTRY_COMPARE(typed->ofType("message").size(), 1);
    QCOMPARE(typed->ofType("message").first()["from"].toString(), QStringLiteral("alice"));
    QCOMPARE(typed->ofType("message").first()["content"].toObject(), QJsonObject({{"hello", 1}}));

    typed->send(R"({"type":"message","room":"lobby","content":"from typed"})");
    for (auto &member : members)
        QTRY_COMPARE(member->messages().size(), 2);
    QCOMPARE(members.at(1)->messages().last(), QStringLiteral(R"("from typed")"));

    QUrl badUrl = m_nodes.at(0)->url();
    badUrl.setQuery(QStringLiteral("room=lobby&token=") + QString::fromLatin1(tokenOf("alice", {}, "wrong")));
    TestClient bad;
    QVERIFY(bad.open(badUrl));
    QTRY_VERIFY(!bad.isConnected());
    QCOMPARE(int(bad.closeCode()), SessionAuth::CloseUnauthorized);
    QVERIFY(bad.messages().isEmpty());
}

void tst_Users::noAuthWithinTimeout()
{
    // The one test that waits for a duration, because the duration is the contract: 10 s to
    // authenticate.
    QVERIFY(startFleet(1));
    QElapsedTimer opened;
    opened.start();
    TestClient *client = connectTyped(typedUrl(0));
    QVERIFY(client);
    QTRY_VERIFY_WITH_TIMEOUT(!client->isConnected(), SessionAuth::AuthTimeoutMs + 5000);
    QCOMPARE(int(client->closeCode()), SessionAuth::CloseUnauthorized);
    QVERIFY2(opened.elapsed() >= SessionAuth::AuthTimeoutMs - 100, qPrintable(QString::number(opened.elapsed())));
}

void tst_Users::withoutSecret()
{
    // A node without a secret takes a client's word for its name (unverified) and serves
    // anonymous clients as before; they are not in presence and cannot send direct messages.
    QVERIFY(startFleet(2, {}, false));
    TestClient *named = connectTyped(typedUrl(0));
    QVERIFY(named);
    QCOMPARE(ask(*named, R"({"type":"auth","userId":"alice"})", "authenticated"),
             QJsonObject({{"type", "authenticated"}, {"user", "alice"}, {"verified", false}}));
    QCOMPARE(ask(*named, R"({"type":"auth","userId":"bob"})", "error")["code"].toString(),
             QStringLiteral("invalid_auth"));
    QCOMPARE(ask(*named, R"({"type":"auth","userId":""})", "error")["code"].toString(), QStringLiteral("invalid_auth"));
    QVERIFY(join(named, Room));

    TestClient *anonymous = connectTyped(typedUrl(1));
    QVERIFY(anonymous);
    const QString session = anonymous->ofType("welcome").first()["session"].toString();
    QVERIFY(join(anonymous, Room));
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("ws:room:" + Room.toUtf8()), 2);

    anonymous->send(R"({"type":"message","room":"team","content":"anonymous"})");
    named->send(R"({"type":"message","room":"team","content":"named"})");
    for (TestClient *client : {named, anonymous}) {
        QTRY_COMPARE(client->ofType("message").size(), 2);
        QStringList froms;
        for (const QJsonObject &message : client->ofType("message"))
            froms.append(message["content"].toString() + QLatin1Char(':') + message["from"].toString());
        froms.sort();
        QCOMPARE(froms, QStringList({"anonymous:" + session, "named:alice"}));
    }
    QTRY_COMPARE(presenceCounts(*anonymous, Room), QStringList({"alice:1"}));
    QCOMPARE(ask(*anonymous, R"({"type":"direct_message","to":"alice","content":1})", "error")["code"].toString(),
             QStringLiteral("auth_required"));
    QCOMPARE(ask(*named, R"({"type":"direct_message","to":"alice","content":1})", "direct_message_sent")["nodes"],
             QJsonValue(1));
    QTRY_COMPARE(named->ofType("direct_message").size(), 1);
    QVERIFY(anonymous->isConnected());
}

void tst_Users::spoofedFrom_data()
{
    QTest::addColumn<bool>("withSecret");
    QTest::addColumn<QString>("auth"); // empty: stays anonymous
    QTest::addColumn<QString>("from"); // empty: the session id
    QTest::addRow("verified") << true << authFrame(tokenOf("alice")) << QStringLiteral("alice");
    QTest::addRow("unverified") << false << QStringLiteral(R"({"type":"auth","userId":"alice"})")
                                << QStringLiteral("alice");
    QTest::addRow("anonymous") << false << QString() << QString();
}

void tst_Users::spoofedFrom()
{
    // A client's own "from" is not believed: the node names the sender.
    QFETCH(bool, withSecret);
    QFETCH(QString, auth);
    QFETCH(QString, from);
    QVERIFY(startFleet(2, {}, withSecret));
    TestClient *sender = connectTyped(typedUrl(0));
    QVERIFY(sender);
    if (!auth.isEmpty())
        QVERIFY(!ask(*sender, auth, "authenticated").isEmpty());
    if (from.isEmpty())
        from = sender->ofType("welcome").first()["session"].toString();
    QVERIFY(join(sender, Room));
    TestClient *bob = withSecret ? connectUser(1, "bob", {Room}) : connectTyped(typedUrl(1));
    QVERIFY(bob);
    if (!withSecret)
        QVERIFY(join(bob, Room));
    RedisClient redis(m_redis.url());
    QVERIFY(redis.open());
    QTRY_COMPARE(redis.numsub("ws:room:" + Room.toUtf8()), 2);

    sender->send(R"({"type":"message","room":"team","from":"bob","content":"not from bob"})");
    for (TestClient *client : {sender, bob}) {
        QTRY_COMPARE(client->ofType("message").size(), 1);
        const QJsonObject message = client->ofType("message").first();
        QCOMPARE(message["from"].toString(), from);
        QCOMPARE(message["content"].toString(), QStringLiteral("not from bob"));
        QCOMPARE(message["room"].toString(), Room);
    }
}

QTEST_GUILESS_MAIN(tst_Users)
#include "tst_users.moc"
