#include "busfixture.h"
#include "localfleet.h"
#include "node/clientprotocol.h"
#include "node/node.h"
#include "quiet.h"
#include "testclient.h"
#include "transport/nodeserver.h"

#include <QJsonObject>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using fanout::NodeServer;

/// What nodes tell their clients over real WebSockets, on the in-process bus: typed events (also
/// between two nodes), the room limit, a client that stops reading, room queries and every bad
/// frame's error.
class tst_Protocol : public QObject
{
    Q_OBJECT
private slots:
    void typedEvents();
    void roomLimitPerConnection();
    void clientThatStopsReadingIsCutOff();
    void roomQuery_data();
    void roomQuery();
    void badFrames_data();
    void badFrames();
};

void tst_Protocol::typedEvents()
{
    auto bus = BusFixture::create(QStringLiteral("in-process"), nullptr);
    LocalFleet fleet(*bus, 2);
    QVERIFY(fleet.waitConnected());
    TestClient alice, bob;
    QVERIFY(alice.open(fleet.typedUrl(0)));
    QVERIFY(bob.open(fleet.typedUrl(1)));
    QTRY_COMPARE(alice.ofType(QStringLiteral("welcome")).size(), 1);
    const QString aliceId = alice.ofType(QStringLiteral("welcome")).first().value("session").toString();
    QTRY_COMPARE(bob.ofType(QStringLiteral("welcome")).size(), 1);
    const QString bobId = bob.ofType(QStringLiteral("welcome")).first().value("session").toString();
    QCOMPARE(alice.ofType(QStringLiteral("welcome")).first().value("node").toString(), QStringLiteral("node-0"));

    alice.send(TestClient::typedFrame("join", QStringLiteral("r")));
    QTRY_COMPARE(alice.ofType(QStringLiteral("user_joined")).size(), 1);
    QCOMPARE(alice.ofType(QStringLiteral("user_joined")).first().value("user").toString(), aliceId);
    QCOMPARE(alice.ofType(QStringLiteral("joined")).size(), 1);

    bob.send(TestClient::typedFrame("join", QStringLiteral("r")));
    QTRY_COMPARE(alice.ofType(QStringLiteral("user_joined")).size(), 2);
    QCOMPARE(alice.ofType(QStringLiteral("user_joined")).last().value("user").toString(), bobId);
    QTRY_COMPARE(bob.ofType(QStringLiteral("user_joined")).size(), 1);

    bob.send(TestClient::typedFrame("join", QStringLiteral("r")));
    QTRY_COMPARE(bob.ofType(QStringLiteral("joined")).size(), 2);

    bob.send(TestClient::typedFrame("leave", QStringLiteral("r")));
    QTRY_COMPARE(bob.ofType(QStringLiteral("left")).size(), 1);
    QTRY_COMPARE(alice.ofType(QStringLiteral("user_left")).size(), 1);
    QCOMPARE(alice.ofType(QStringLiteral("user_left")).first().value("user").toString(), bobId);

    bob.send(TestClient::typedFrame("join", QStringLiteral("r")));
    QTRY_COMPARE(alice.ofType(QStringLiteral("user_joined")).size(), 3);
    bob.close();
    QTRY_COMPARE(alice.ofType(QStringLiteral("user_left")).size(), 2);
    QVERIFY(Quiet::holdsFor(100, [&] { return alice.ofType(QStringLiteral("user_joined")).size() == 3; }));
    QCOMPARE(alice.ofType(QStringLiteral("user_joined")).size(), 3);
    QCOMPARE(bob.ofType(QStringLiteral("user_joined")).size(), 2);
}

void tst_Protocol::roomLimitPerConnection()
{
    auto bus = BusFixture::create(QStringLiteral("in-process"), nullptr);
    LocalFleet fleet(*bus, 1);
    QVERIFY(fleet.waitConnected());
    TestClient client;
    QVERIFY(client.open(fleet.typedUrl(0)));
    for (int i = 0; i <= int(fanout::ClientProtocol::MaxRoomsPerSession); ++i)
        client.send(TestClient::typedFrame("join", QStringLiteral("r%1").arg(i)));
    QTRY_COMPARE(client.ofType(QStringLiteral("error")).size(), 1);
    QCOMPARE(client.ofType(QStringLiteral("error")).first().value("code").toString(), QStringLiteral("too_many_rooms"));
    QCOMPARE(client.ofType(QStringLiteral("joined")).size(), int(fanout::ClientProtocol::MaxRoomsPerSession));
    QCOMPARE(fleet.node(0)->rooms().size(), fanout::ClientProtocol::MaxRoomsPerSession);
    client.send(TestClient::typedFrame("join", QStringLiteral("r0"))); // rejoining a room it is in is still fine
    QTRY_COMPARE(client.ofType(QStringLiteral("joined")).size(), int(fanout::ClientProtocol::MaxRoomsPerSession) + 1);
}

void tst_Protocol::clientThatStopsReadingIsCutOff()
{
    auto bus = BusFixture::create(QStringLiteral("in-process"), nullptr);
    LocalFleet fleet(*bus, 1);
    QVERIFY(fleet.waitConnected());
    // A raw client that completes the handshake and then never reads again.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(fleet.roomUrl(0, QStringLiteral("flood")).port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const QByteArray request = "GET /?room=flood HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n\r\n";
    QCOMPARE(::write(fd, request.constData(), size_t(request.size())), ssize_t(request.size()));
    TestClient reader;
    QVERIFY(reader.open(fleet.roomUrl(0, QStringLiteral("flood"))));
    QTRY_COMPARE(fleet.node(0)->memberCount(QStringLiteral("flood")), 2);

    const QString big = QLatin1Char('"') + QString(60000, QLatin1Char('y')) + QLatin1Char('"');
    const int messages = 400; // 24 MB towards the stalled client: past the kernel's buffers and the 8 MiB limit
    for (int i = 0; i < messages; ++i) {
        reader.send(big);
        // At most 20 frames in flight, so the reader's own socket never holds the whole flood.
        QTRY_VERIFY_WITH_TIMEOUT(reader.messages().size() >= i - 20, 20000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(reader.messages().size(), messages, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(fleet.node(0)->memberCount(QStringLiteral("flood")), 1, 10000);
    QVERIFY(reader.isConnected());
    ::close(fd);
}

void tst_Protocol::roomQuery_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("room");
    QTest::addRow("absent") << QString() << QStringLiteral("lobby");
    QTest::addRow("empty") << QStringLiteral("room=") << QStringLiteral("lobby");
    QTest::addRow("plain") << QStringLiteral("room=42") << QStringLiteral("42");
    QTest::addRow("encoded") << QStringLiteral("room=a%20b%2Fc") << QStringLiteral("a b/c");
    QTest::addRow("unicode") << QStringLiteral("room=%C3%A9t%C3%A9") << QStringLiteral("été");
}

void tst_Protocol::roomQuery()
{
    QFETCH(QString, query);
    QFETCH(QString, room);
    auto bus = BusFixture::create(QStringLiteral("in-process"), nullptr);
    LocalFleet fleet(*bus, 1);
    QVERIFY(fleet.waitConnected());
    QUrl url = fleet.roomUrl(0, QString());
    url.setQuery(query);
    TestClient client;
    QVERIFY(client.open(url));
    QTRY_COMPARE(fleet.node(0)->rooms(), QStringList({room}));
    QCOMPARE(bus->numsub(fleet.node(0)->channelFor(room)), 1);
}

void tst_Protocol::badFrames_data()
{
    QTest::addColumn<bool>("typedMode");
    QTest::addColumn<QString>("frame");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QString>("errorCode");
    QTest::addRow("room: not json") << false << QStringLiteral("hello {") << false << QStringLiteral("invalid_json");
    QTest::addRow("room: two values") << false << QStringLiteral("1 2") << false << QStringLiteral("invalid_json");
    QTest::addRow("room: binary") << false << QStringLiteral("\x01\x02") << true
                                  << QStringLiteral("binary_not_supported");
    QTest::addRow("typed: not json") << true << QStringLiteral("{{") << false << QStringLiteral("invalid_json");
    QTest::addRow("typed: not an object") << true << QStringLiteral("[1]") << false << QStringLiteral("not_an_object");
    QTest::addRow("typed: unknown type") << true << QStringLiteral("{\"type\":\"dance\",\"room\":\"r\"}") << false
                                         << QStringLiteral("unknown_type");
    QTest::addRow("typed: no type") << true << QStringLiteral("{\"room\":\"r\"}") << false
                                    << QStringLiteral("unknown_type");
    QTest::addRow("typed: room not joined")
        << true << QStringLiteral("{\"type\":\"message\",\"room\":\"other\",\"content\":1}") << false
        << QStringLiteral("not_joined");
    QTest::addRow("typed: leave not joined")
        << true << QStringLiteral("{\"type\":\"leave\",\"room\":\"other\"}") << false << QStringLiteral("not_joined");
    QTest::addRow("typed: room not a string")
        << true << QStringLiteral("{\"type\":\"join\",\"room\":5}") << false << QStringLiteral("invalid_room");
    QTest::addRow("typed: empty room") << true << QStringLiteral("{\"type\":\"join\",\"room\":\"\"}") << false
                                       << QStringLiteral("invalid_room");
    QTest::addRow("typed: no content") << true << QStringLiteral("{\"type\":\"message\",\"room\":\"r\"}") << false
                                       << QStringLiteral("missing_content");
    QTest::addRow("typed: binary") << true << QStringLiteral("x") << true << QStringLiteral("binary_not_supported");
    QTest::addRow("room: oversized") << false << QString(int(NodeServer::DefaultMaxMessageBytes) + 10, QLatin1Char('1'))
                                     << false << QString();
    QTest::addRow("typed: oversized") << true << QString(int(NodeServer::DefaultMaxMessageBytes) + 10, QLatin1Char('1'))
                                      << false << QString();
}

void tst_Protocol::badFrames()
{
    QFETCH(bool, typedMode);
    QFETCH(QString, frame);
    QFETCH(bool, binary);
    QFETCH(QString, errorCode);
    auto bus = BusFixture::create(QStringLiteral("in-process"), nullptr);
    LocalFleet fleet(*bus, 1);
    QVERIFY(fleet.waitConnected());

    TestClient offender, observer;
    QVERIFY(observer.open(fleet.roomUrl(0, QStringLiteral("r"))));
    if (typedMode) {
        QVERIFY(offender.open(fleet.typedUrl(0)));
        offender.send(TestClient::typedFrame("join", QStringLiteral("r")));
        QTRY_COMPARE(offender.ofType(QStringLiteral("joined")).size(), 1);
    } else {
        QVERIFY(offender.open(fleet.roomUrl(0, QStringLiteral("r"))));
    }
    QTRY_COMPARE(fleet.node(0)->memberCount(QStringLiteral("r")), 2);
    offender.clear();
    const quint64 publishedBefore = fleet.node(0)->stats().published;

    if (binary)
        offender.sendBinary(frame.toUtf8());
    else
        offender.send(frame);

    if (errorCode.isEmpty()) {
        QTRY_VERIFY(!offender.isConnected());
        QCOMPARE(offender.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        QTRY_COMPARE(fleet.node(0)->memberCount(QStringLiteral("r")), 1);
    } else {
        QTRY_COMPARE(offender.ofType(QStringLiteral("error")).size(), 1);
        const QJsonObject error = offender.ofType(QStringLiteral("error")).first();
        QCOMPARE(error.value("code").toString(), errorCode);
        QVERIFY(!error.value("message").toString().isEmpty());
        QVERIFY(offender.isConnected());
    }
    // Nothing of the bad frame is published; a typed session closed for it announces user_left.
    const bool closedTyped = typedMode && errorCode.isEmpty();
    QCOMPARE(fleet.node(0)->stats().published, publishedBefore + (closedTyped ? 1u : 0u));

    observer.send(QStringLiteral("{\"still\":\"alive\"}"));
    QTRY_COMPARE(observer.messages(), QStringList({"{\"still\":\"alive\"}"}));
    if (!errorCode.isEmpty()) {
        if (typedMode)
            QTRY_COMPARE(offender.ofType(QStringLiteral("message")).size(), 1);
        else
            QTRY_VERIFY(offender.messages().contains(QStringLiteral("{\"still\":\"alive\"}")));
    }
}

QTEST_GUILESS_MAIN(tst_Protocol)
#include "tst_protocol.moc"
