#include "node/sessionauth.h"
#include "quiet.h"
#include "redisclient.h"
#include "testclient.h"
#include "usertesting.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>
#include <vector>

using fanout::SessionAuth;
using namespace usertesting;

namespace {

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
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

/// Verified identity on fanout-node processes sharing a real redis-server: tokens on the URL and
/// in auth frames, their expiry, room mode's upgrade, names without a secret, the sender a node
/// names (docs/protocol.md, "Identity").
class tst_Auth : public QObject, private UserFleet
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
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
};

void tst_Auth::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_Auth::init()
{
    // Presence sets outlive the nodes that wrote them (until their TTL).
    QCOMPARE(m_redis.cli({"FLUSHALL"}).trimmed(), QStringLiteral("OK"));
}

void tst_Auth::cleanup()
{
    m_clients.clear();
    m_nodes.clear();
}

void tst_Auth::tokenOnConnect_data()
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

void tst_Auth::tokenOnConnect()
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

void tst_Auth::frameBeforeAuth()
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

void tst_Auth::tokenExpiresWhileOpen_data()
{
    QTest::addColumn<QString>("refreshUser"); // empty: no fresh auth frame
    QTest::addColumn<int>("closeCode");
    QTest::addRow("no refresh") << QString() << SessionAuth::CloseTokenExpired;
    QTest::addRow("fresh token") << QStringLiteral("alice") << SessionAuth::CloseTokenExpired;
    QTest::addRow("fresh token of another user") << QStringLiteral("mallory") << SessionAuth::CloseUnauthorized;
}

void tst_Auth::tokenExpiresWhileOpen()
{
    QFETCH(QString, refreshUser);
    QFETCH(int, closeCode);
    QVERIFY(startFleet(1));

    const QByteArray token = tokenExpiringIn("alice", 4000); // time to connect and refresh, even on a stalled machine
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

void tst_Auth::roomModeUpgrade_data()
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

void tst_Auth::roomModeUpgrade()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, status);
    QVERIFY(startFleet(1));
    QCOMPARE(upgradeStatus(m_nodes.at(0)->url(), target), status);
}

void tst_Auth::roomModeWithToken()
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

void tst_Auth::noAuthWithinTimeout()
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

void tst_Auth::withoutSecret()
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

void tst_Auth::spoofedFrom_data()
{
    QTest::addColumn<bool>("withSecret");
    QTest::addColumn<QString>("auth"); // empty: stays anonymous
    QTest::addColumn<QString>("from"); // empty: the session id
    QTest::addRow("verified") << true << authFrame(tokenOf("alice")) << QStringLiteral("alice");
    QTest::addRow("unverified") << false << QStringLiteral(R"({"type":"auth","userId":"alice"})")
                                << QStringLiteral("alice");
    QTest::addRow("anonymous") << false << QString() << QString();
}

void tst_Auth::spoofedFrom()
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

QTEST_GUILESS_MAIN(tst_Auth)
#include "tst_auth.moc"
