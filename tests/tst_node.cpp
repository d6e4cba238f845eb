#include "busfixture.h"
#include "localfleet.h"
#include "node/node.h"
#include "quiet.h"
#include "redis/redisconnection.h"
#include "testclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

using fanout::Broker;

/// Nodes in the test process over each broker: what crosses nodes, when they subscribe, and
/// what a broker outage or a hot room's shards change (tst_protocol has what nodes tell clients).
class tst_Node : public QObject
{
    Q_OBJECT
private slots:
    void crossNodeRoomMode_data() { BusFixture::addKindRows(); }
    void crossNodeRoomMode();
    void crossNodeTypedMode_data() { BusFixture::addKindRows(); }
    void crossNodeTypedMode();
    void lazySubscriptions_data() { BusFixture::addKindRows(); }
    void lazySubscriptions();
    void externalPublishReachesRoom_data() { BusFixture::addKindRows(); }
    void externalPublishReachesRoom();
    void brokerOutageFallsBackToLocalDelivery_data() { BusFixture::addKindRows(); }
    void brokerOutageFallsBackToLocalDelivery();
    void hotRoomShards_data() { BusFixture::addKindRows(); }
    void hotRoomShards();
    void roomChannelsOfShards_data();
    void roomChannelsOfShards();
};

void tst_Node::crossNodeRoomMode()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 3);
    QVERIFY(fleet.isListening());
    QVERIFY(fleet.waitConnected());

    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        QVERIFY(clients.back()->open(fleet.roomUrl(i % 3, QStringLiteral("r1"))));
    }
    for (int n = 0; n < 3; ++n)
        QTRY_COMPARE(fleet.node(n)->memberCount(QStringLiteral("r1")), 2);
    QTRY_COMPARE(bus->numsub("ws:room:r1"), 3);

    QStringList expected;
    for (int i = 0; i < 6; ++i) {
        const QString message = QStringLiteral("{\"from\":%1,\"text\":\"hello\"}").arg(i);
        expected.append(message);
        clients.at(size_t(i))->send(message);
    }
    expected.sort();
    for (auto &client : clients)
        QTRY_COMPARE(client->messages().size(), 6);
    const auto sixEach = [&clients] {
        return std::all_of(clients.begin(), clients.end(),
                           [](const auto &client) { return client->messages().size() == 6; });
    };
    QVERIFY2(Quiet::holdsFor(200, sixEach), "a message arrived twice");
    for (auto &client : clients) {
        QStringList received = client->messages();
        received.sort();
        QCOMPARE(received, expected);
    }
    quint64 deliveries = 0;
    for (int n = 0; n < 3; ++n)
        deliveries += fleet.node(n)->stats().deliveries;
    QCOMPARE(deliveries, 36u);
}

void tst_Node::crossNodeTypedMode()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 3);
    QVERIFY(fleet.waitConnected());
    const QString room = QStringLiteral("typed room");

    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        QVERIFY(clients.back()->open(fleet.typedUrl(i)));
        clients.back()->send(TestClient::typedFrame("join", room));
        clients.back()->send(TestClient::typedFrame("join", QStringLiteral("elsewhere-%1").arg(i)));
    }
    TestClient roomModeClient;
    QVERIFY(roomModeClient.open(fleet.roomUrl(1, room)));
    for (int n = 0; n < 3; ++n)
        QTRY_COMPARE(fleet.node(n)->memberCount(room), n == 1 ? 2 : 1);
    QTRY_COMPARE(bus->numsub(fleet.node(0)->channelFor(room)), 3);
    for (auto &client : clients)
        QTRY_COMPARE(client->ofType(QStringLiteral("joined")).size(), 2);

    for (int i = 0; i < 3; ++i)
        clients.at(size_t(i))->send(TestClient::typedFrame("message", room, QStringLiteral("{\"n\":%1}").arg(i)));
    for (auto &client : clients)
        QTRY_COMPARE(client->ofType(QStringLiteral("message")).size(), 3);
    QTRY_COMPARE(roomModeClient.messages().size(), 3);
    const auto threeEach = [&] {
        const auto threeMessages
            = [](const auto &client) { return client->ofType(QStringLiteral("message")).size() == 3; };
        return roomModeClient.messages().size() == 3 && std::all_of(clients.begin(), clients.end(), threeMessages);
    };
    QVERIFY2(Quiet::holdsFor(200, threeEach), "a message arrived twice");

    for (auto &client : clients) {
        const auto messages = client->ofType(QStringLiteral("message"));
        QCOMPARE(messages.size(), 3);
        QSet<int> numbers;
        for (const QJsonObject &message : messages) {
            QCOMPARE(message.value("room").toString(), room);
            QVERIFY(message.value("from").toString().startsWith(QStringLiteral("node-")));
            numbers.insert(message.value("content").toObject().value("n").toInt());
        }
        QCOMPARE(numbers, QSet<int>({0, 1, 2}));
    }
    QStringList bare = roomModeClient.messages();
    bare.sort();
    QCOMPARE(bare, QStringList({"{\"n\":0}", "{\"n\":1}", "{\"n\":2}"}));
}

void tst_Node::lazySubscriptions()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 3);
    QVERIFY(fleet.waitConnected());
    QCOMPARE(bus->channels("ws:room:*"), QStringList());

    TestClient a0, a1, b2, b2bis;
    QVERIFY(a0.open(fleet.roomUrl(0, QStringLiteral("a"))));
    QTRY_COMPARE(bus->numsub("ws:room:a"), 1);
    QVERIFY(a1.open(fleet.roomUrl(1, QStringLiteral("a"))));
    QTRY_COMPARE(bus->numsub("ws:room:a"), 2);
    QVERIFY(b2.open(fleet.roomUrl(2, QStringLiteral("b"))));
    QVERIFY(b2bis.open(fleet.roomUrl(2, QStringLiteral("b"))));
    QTRY_COMPARE(fleet.node(2)->memberCount(QStringLiteral("b")), 2);
    QTRY_COMPARE(bus->numsub("ws:room:b"), 1);
    QTRY_COMPARE(bus->channels("ws:room:*"), QStringList({"ws:room:a", "ws:room:b"}));

    qint64 reply = -2;
    fleet.node(2)->broker()->publish("ws:room:a", R"({"payload":1})", [&](qint64 receivers) { reply = receivers; });
    QTRY_COMPARE(reply, 2);

    b2.close();
    QTRY_COMPARE(fleet.node(2)->memberCount(QStringLiteral("b")), 1);
    QVERIFY(Quiet::holdsFor(200, [&bus] { return bus->numsub("ws:room:b") == 1; }));
    b2bis.close();
    QTRY_COMPARE(bus->numsub("ws:room:b"), 0);
    a0.close();
    QTRY_COMPARE(bus->numsub("ws:room:a"), 1);
    a1.close();
    QTRY_COMPARE(bus->channels("ws:room:*"), QStringList());
    for (int n = 0; n < 3; ++n)
        QCOMPARE(fleet.node(n)->rooms(), QStringList());
}

void tst_Node::hotRoomShards()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 2, 4);
    QVERIFY(fleet.waitConnected());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        QVERIFY(clients.back()->open(fleet.roomUrl(i % 2, QStringLiteral("hot"))));
    }
    const QStringList shards {"ws:room:hot:shard0", "ws:room:hot:shard1", "ws:room:hot:shard2", "ws:room:hot:shard3"};
    QTRY_COMPARE(bus->channels("ws:room:*"), shards);
    for (const QString &shard : shards)
        QTRY_COMPARE(bus->numsub(shard.toUtf8()), 2);

    constexpr int Senders = 4;
    constexpr int PerSender = 25;
    for (int n = 0; n < PerSender; ++n) {
        for (int sender = 0; sender < Senders; ++sender)
            clients.at(size_t(sender))->send(QStringLiteral("{\"s\":%1,\"n\":%2}").arg(sender).arg(n));
    }
    for (auto &client : clients)
        QTRY_COMPARE(client->messages().size(), Senders * PerSender);
    const auto allOnce = [&clients] {
        return std::all_of(clients.begin(), clients.end(),
                           [](const auto &client) { return client->messages().size() == Senders * PerSender; });
    };
    QVERIFY2(Quiet::holdsFor(200, allOnce), "a message arrived twice");
    for (auto &client : clients) {
        std::array<int, Senders> next {};
        for (const QString &message : client->messages()) {
            const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
            const int sender = object.value("s").toInt();
            QCOMPARE(object.value("n").toInt(), next[size_t(sender)]++); // each sender's order kept
        }
    }
}

void tst_Node::roomChannelsOfShards_data()
{
    QTest::addColumn<int>("shards");
    QTest::addColumn<QByteArray>("channel");
    QTest::addColumn<QString>("room"); // empty: not a room channel
    QTest::addRow("seed's name") << 1 << QByteArray("ws:room:lobby") << "lobby";
    QTest::addRow("one shard keeps :shard in the name") << 1 << QByteArray("ws:room:x:shard1") << "x:shard1";
    QTest::addRow("foreign prefix") << 1 << QByteArray("other:lobby") << "";
    QTest::addRow("a shard") << 4 << QByteArray("ws:room:lobby:shard3") << "lobby";
    QTest::addRow("a room named like a shard") << 4 << QByteArray("ws:room:x:shard1:shard0") << "x:shard1";
    QTest::addRow("shard out of range") << 4 << QByteArray("ws:room:lobby:shard4") << "";
    QTest::addRow("no shard") << 4 << QByteArray("ws:room:lobby") << "";
    QTest::addRow("not a number") << 4 << QByteArray("ws:room:lobby:shardx") << "";
}

void tst_Node::roomChannelsOfShards()
{
    QFETCH(int, shards);
    QFETCH(QByteArray, channel);
    QFETCH(QString, room);
    const fanout::RoomChannels channels(QStringLiteral("ws:room:"), shards);
    const std::optional<QString> found = channels.roomOf(channel);
    QCOMPARE(found.value_or(QString()), room);
    if (room.isEmpty())
        return;
    QVERIFY(channels.all(room).contains(channel));
    QCOMPARE(channels.all(room).size(), shards);
    QVERIFY(channels.all(room).contains(channels.forPublish(room, QStringLiteral("anyone"))));
    QVERIFY(channels.all(room).contains(channels.forEvents(room)));
    QSet<quint32> used;
    for (int sender = 0; sender < 100; ++sender)
        used.insert(fanout::RoomChannels::shardOf(QStringLiteral("node-0/%1").arg(sender), shards));
    QCOMPARE(used.size(), shards); // senders spread over every shard
}

void tst_Node::externalPublishReachesRoom()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 3);
    QVERIFY(fleet.waitConnected());
    TestClient first, second;
    QVERIFY(first.open(fleet.roomUrl(0, QStringLiteral("lobby"))));
    QVERIFY(second.open(fleet.roomUrl(2, QStringLiteral("lobby"))));
    QTRY_COMPARE(bus->numsub("ws:room:lobby"), 2);

    QCOMPARE(bus->publish("ws:room:lobby", R"({"payload":{"type":"ping"}})"), 2);
    QTRY_COMPARE(first.messages(), QStringList({"{\"type\":\"ping\"}"}));
    QTRY_COMPARE(second.messages(), QStringList({"{\"type\":\"ping\"}"}));

    QCOMPARE(bus->publish("ws:room:lobby", "not an envelope"), 2);
    QTRY_COMPARE(fleet.node(0)->stats().malformedMessages, 1u);
    QCOMPARE(bus->publish("ws:room:lobby", R"({"origin":"ref-1","room":"lobby","payload":"seed","ts":1})"), 2);
    QTRY_COMPARE(first.messages().size(), 2);
    QCOMPARE(first.messages().last(), QStringLiteral("\"seed\""));
    QVERIFY(first.isConnected());
}

void tst_Node::brokerOutageFallsBackToLocalDelivery()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    LocalFleet fleet(*bus, 2);
    QVERIFY(fleet.waitConnected());
    TestClient local1, local2, remote;
    QVERIFY(local1.open(fleet.roomUrl(0, QStringLiteral("r"))));
    QVERIFY(local2.open(fleet.roomUrl(0, QStringLiteral("r"))));
    QVERIFY(remote.open(fleet.roomUrl(1, QStringLiteral("r"))));
    QTRY_COMPARE(fleet.node(0)->memberCount(QStringLiteral("r")), 2);
    QTRY_COMPARE(bus->numsub("ws:room:r"), 2);

    bus->takeDown();
    QTRY_VERIFY(fleet.node(0)->broker()->state() != Broker::State::Connected);
    QTRY_VERIFY(fleet.node(1)->broker()->state() != Broker::State::Connected);

    local1.send(QStringLiteral("\"during outage\""));
    QTRY_COMPARE(local1.messages(), QStringList({"\"during outage\""}));
    QTRY_COMPARE(local2.messages(), QStringList({"\"during outage\""}));
    QCOMPARE(fleet.node(0)->stats().fallbackDeliveries, 2u);

    QVERIFY(bus->bringUp());
    QElapsedTimer sinceRestart;
    sinceRestart.start();
    // The next reconnect attempt may be a whole backoff step away; then a few round trips.
    constexpr int Budget = fanout::RedisConnection::MaxReconnectDelayMs + 3000;
    QTRY_COMPARE_WITH_TIMEOUT(bus->numsub("ws:room:r"), 2, Budget);
    remote.send(QStringLiteral("\"after outage\""));
    QTRY_VERIFY_WITH_TIMEOUT(local1.messages().contains(QStringLiteral("\"after outage\"")), Budget);
    qInfo("cross-node delivery resumed %lld ms after the broker came back", sinceRestart.elapsed());
    QVERIFY(sinceRestart.elapsed() < Budget);
    QTRY_VERIFY(local2.messages().contains(QStringLiteral("\"after outage\"")));
    QTRY_VERIFY(remote.messages().contains(QStringLiteral("\"after outage\"")));

    // The queued publish of the outage may reach the remote node late, but never twice, and the
    // local members who got it from the fallback never get it again.
    const QString during = QStringLiteral("\"during outage\"");
    const QString after = QStringLiteral("\"after outage\"");
    const QStringList expectedLocal {during, after};
    QCOMPARE(local1.messages(), expectedLocal);
    QCOMPARE(local2.messages(), expectedLocal);
    QVERIFY(remote.messages().count(during) <= 1);
    QCOMPARE(remote.messages().count(after), 1);
    const auto exactlyOnce = [&] {
        return local1.messages() == expectedLocal && local2.messages() == expectedLocal
            && remote.messages().count(during) <= 1 && remote.messages().count(after) == 1;
    };
    QVERIFY2(Quiet::holdsFor(300, exactlyOnce), "a message arrived twice");
    for (TestClient *client : {&local1, &local2, &remote}) {
        QVERIFY(client->isConnected());
        QCOMPARE(client->disconnects(), 0);
    }
}

QTEST_GUILESS_MAIN(tst_Node)
#include "tst_node.moc"
