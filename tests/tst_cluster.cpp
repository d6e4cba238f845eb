#include "broker/hashslot.h"
#include "deliverygap.h"
#include "inspectjson.h"
#include "node/noderecord.h"
#include "nodeprocess.h"
#include "quiet.h"
#include "redis/readonlycommands.h"
#include "redis/redisreply.h"
#include "redis/redisurl.h"
#include "redisclient.h"
#include "rediscluster.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "simrun.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <memory>

using fanout::HashSlot;
using fanout::Scenario;
using fanout::SimSnapshot;
using fanout::Simulation;

using fanout::RedisReply;
using fanout::RedisUrl;

/// redis+cluster:// on a real Redis Cluster of three masters started by the test on loopback:
/// the URL forms, hash slots as the cluster computes them, fanout-node processes delivering
/// across masters by sharded pub/sub only, the inspector showing the shards, and a slot migrated
/// under steady traffic.
class tst_Cluster : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void urlParsing_data();
    void urlParsing();
    void hashSlotsAsTheClusterComputesThem_data();
    void hashSlotsAsTheClusterComputesThem();
    void deliveryAcrossMastersBySharding();
    void clusterReadsAreReadOnly_data();
    void clusterReadsAreReadOnly();
    void inspectorShowsTheShards();
    void slotMigrationUnderSteadyTraffic();
    void durableRoomsAndPresence();
    void simulationOnTheCluster_data();
    void simulationOnTheCluster();

private:
    RedisCluster m_cluster;
};

namespace {

/// The sorted strings of an array reply.
QStringList stringsOf(const RedisReply &reply)
{
    QStringList strings;
    for (const RedisReply &element : reply.elements)
        strings.append(QString::fromUtf8(element.string));
    strings.sort();
    return strings;
}

QUrl inRoom(QUrl url, const QString &room)
{
    url.setQuery(QStringLiteral("room=") + room);
    return url;
}

/// Each master's slot ranges ("0-5460", or "7000" for one slot) by its port, ascending, as
/// CLUSTER SLOTS tells them: independent of the slot map parser the inspector uses.
QHash<quint16, QStringList> slotRangesByPort(RedisClient &client)
{
    QMap<qint64, std::pair<quint16, QString>> byFirstSlot;
    for (const RedisReply &range : client.command({"CLUSTER", "SLOTS"}).elements) {
        const qint64 first = range.elements.value(0).integer;
        const qint64 last = range.elements.value(1).integer;
        const quint16 port = quint16(range.elements.value(2).elements.value(1).integer);
        byFirstSlot.insert(
            first, {port, first == last ? QString::number(first) : QStringLiteral("%1-%2").arg(first).arg(last)});
    }
    QHash<quint16, QStringList> ranges;
    for (const auto &[port, text] : std::as_const(byFirstSlot))
        ranges[port].append(text);
    return ranges;
}

/// The element of an array of objects whose `key` is `value`; empty when none is.
QJsonObject findIn(const QJsonArray &array, const QString &key, const QString &value)
{
    for (const QJsonValue &element : array) {
        if (element.toObject().value(key).toString() == value)
            return element.toObject();
    }
    return {};
}

QUrl typed(QUrl url)
{
    url.setPath(QStringLiteral("/rooms"));
    return url;
}

}

void tst_Cluster::initTestCase()
{
    QVERIFY2(m_cluster.start(3), qPrintable(m_cluster.errorString()));
}

void tst_Cluster::urlParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("nodes");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("shown"); // empty: refused

    QTest::newRow("one seed") << "redis+cluster://10.0.0.1:7000" << QStringList {"10.0.0.1:7000"} << ""
                              << "" << false << "redis+cluster://10.0.0.1:7000";
    QTest::newRow("seeds, default port") << "redis+cluster://a:7000,b,c:7002/"
                                         << QStringList {"a:7000", "b:6379", "c:7002"} << ""
                                         << "" << false << "redis+cluster://a:7000,b:6379,c:7002";
    QTest::newRow("credentials") << "redis+cluster://app:s%40cret@a:7000,b:7001" << QStringList {"a:7000", "b:7001"}
                                 << "app"
                                 << "s@cret" << false << "redis+cluster://app@a:7000,b:7001";
    QTest::newRow("tls") << "rediss+cluster://a:7000/0" << QStringList {"a:7000"} << ""
                         << "" << true << "rediss+cluster://a:7000";
    QTest::newRow("another database") << "redis+cluster://a:7000/1" << QStringList() << ""
                                      << "" << false << "";
    QTest::newRow("empty seed") << "redis+cluster://a:7000,,b:7001" << QStringList() << ""
                                << "" << false << "";
    QTest::newRow("bad port") << "redis+cluster://a:70000" << QStringList() << ""
                              << "" << false << "";
    QTest::newRow("query") << "redis+cluster://a:7000?x=1" << QStringList() << ""
                           << "" << false << "";
}

void tst_Cluster::urlParsing()
{
    QFETCH(QString, text);
    QFETCH(QStringList, nodes);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(bool, tls);
    QFETCH(QString, shown);
    QString error;
    const std::optional<RedisUrl> url = RedisUrl::parse(text, &error);
    if (shown.isEmpty()) {
        QVERIFY(!url);
        QVERIFY2(error.startsWith(QStringLiteral("invalid Redis URL \"%1\": ").arg(text)), qPrintable(error));
        return;
    }
    QVERIFY2(url, qPrintable(error));
    QVERIFY(url->isCluster());
    QVERIFY(!url->isSentinel());
    QStringList addresses;
    for (const RedisUrl::Address &node : url->clusterNodes)
        addresses.append(node.toString());
    QCOMPARE(addresses, nodes);
    QCOMPARE(url->user, user);
    QCOMPARE(url->password, password);
    QCOMPARE(url->tls, tls);
    QCOMPARE(url->toDisplayString(), shown);
}

void tst_Cluster::hashSlotsAsTheClusterComputesThem_data()
{
    QTest::addColumn<QByteArray>("name");
    for (const char *name : {"ws:room:lobby", "ws:user:alice", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap",
                             "foo{bar}{zap}", "a}b{c", "ws:room:a{b}c", "{}", "123456789", "presence:updates"})
        QTest::newRow(name) << QByteArray(name);
}

void tst_Cluster::hashSlotsAsTheClusterComputesThem()
{
    QFETCH(QByteArray, name);
    RedisClient client(m_cluster.master(0).url());
    QVERIFY(client.open());
    QCOMPARE(qint64(HashSlot::of(name)), client.command({"CLUSTER", "KEYSLOT", name}).integer);
    // A room's history and presence keys live in its channel's slot, so that one script can
    // touch them and SPUBLISH; a channel with a stray "}" is the one exception.
    for (const char *suffix : {":history", ":meta", ":presence"}) {
        const QByteArray key = HashSlot::keyBeside(name, suffix);
        QVERIFY(key.endsWith(suffix));
        const bool exception = name.contains('}') && HashSlot::hashedPart(name).size() == name.size();
        if (!exception)
            QCOMPARE(client.command({"CLUSTER", "KEYSLOT", key}).integer, qint64(HashSlot::of(name)));
    }
}

void tst_Cluster::deliveryAcrossMastersBySharding()
{
    // Two rooms on each master; a member of every room on both nodes; only node a's speak.
    const QStringList rooms = m_cluster.namesOnEachMaster(QStringLiteral("ws:room:"), QStringLiteral("spread-"), 2);
    QCOMPARE(rooms.size(), 6);
    for (int i = 0; i < m_cluster.size(); ++i) {
        RedisClient master(m_cluster.master(i).url());
        QVERIFY(master.open());
        master.command({"CONFIG", "RESETSTAT"});
    }
    NodeProcess a;
    NodeProcess b;
    for (NodeProcess *node : {&a, &b}) {
        const QString id = node == &a ? QStringLiteral("cluster-a") : QStringLiteral("cluster-b");
        QVERIFY2(node->start({"--host", "127.0.0.1", "--port", "0", "--node-id", id, "--redis", m_cluster.url()}),
                 qPrintable(node->errorString()));
    }
    std::vector<std::unique_ptr<TestClient>> speakers;
    std::vector<std::unique_ptr<TestClient>> listeners;
    for (const QString &room : rooms) {
        speakers.push_back(std::make_unique<TestClient>());
        listeners.push_back(std::make_unique<TestClient>());
        QVERIFY(speakers.back()->open(inRoom(a.url(), room)));
        QVERIFY(listeners.back()->open(inRoom(b.url(), room)));
    }
    // Each master holds exactly the shard channels of its own rooms, from both nodes.
    for (int i = 0; i < m_cluster.size(); ++i) {
        RedisClient master(m_cluster.master(i).url());
        QVERIFY(master.open());
        QStringList expected;
        for (const QString &room : rooms) {
            if (m_cluster.ownerOf(RedisCluster::slotOf("ws:room:" + room.toUtf8())) == i)
                expected.append(QStringLiteral("ws:room:") + room);
        }
        expected.sort();
        QCOMPARE(expected.size(), 2);
        QTRY_COMPARE(stringsOf(master.command({"PUBSUB", "SHARDCHANNELS", "ws:room:*"})), expected);
        for (const QString &channel : expected) {
            QTRY_COMPARE(master.command({"PUBSUB", "SHARDNUMSUB", channel.toUtf8()}).elements.value(1).integer,
                         qint64(2));
        }
        // One subscribe connection per node and master, not one per slot.
        const QStringList names = master.clientNames();
        QCOMPARE(names.count(QStringLiteral("fanout:cluster-a:sub")), 1);
        QCOMPARE(names.count(QStringLiteral("fanout:cluster-b:sub")), 1);
    }

    constexpr int perRoom = 20;
    for (int n = 1; n <= perRoom; ++n) {
        for (size_t r = 0; r < speakers.size(); ++r)
            speakers.at(r)->send(QStringLiteral("[%1,%2]").arg(r).arg(n));
    }
    for (size_t r = 0; r < listeners.size(); ++r) {
        QStringList expected;
        for (int n = 1; n <= perRoom; ++n)
            expected.append(QStringLiteral("[%1,%2]").arg(r).arg(n));
        // Exactly once each, in order, and nothing of another room.
        QTRY_COMPARE(listeners.at(r)->messages(), expected);
        QTRY_COMPARE(speakers.at(r)->messages(), expected);
    }
    QVERIFY(Quiet::holdsFor(200, [&] {
        return std::all_of(listeners.cbegin(), listeners.cend(),
                           [](const auto &listener) { return listener->messages().size() == perRoom; });
    }));

    // Sharded pub/sub only: SPUBLISH on every master, never a classic PUBLISH.
    for (int i = 0; i < m_cluster.size(); ++i) {
        RedisClient master(m_cluster.master(i).url());
        QVERIFY(master.open());
        const QByteArray stats = master.command({"INFO", "commandstats"}).string;
        QVERIFY2(stats.contains("cmdstat_spublish:calls="), stats.constData());
        QVERIFY2(!stats.contains("cmdstat_publish:"), stats.constData());
    }
}

void tst_Cluster::clusterReadsAreReadOnly_data()
{
    QTest::addColumn<QByteArrayList>("args");
    QTest::addColumn<bool>("allowed");
    for (const char *read : {"SHARDS", "SLOTS", "INFO", "MYID", "NODES"})
        QTest::newRow(read) << QByteArrayList {"CLUSTER", read} << true;
    QTest::newRow("KEYSLOT") << QByteArrayList {"cluster", "keyslot", "ws:room:lobby"} << true;
    for (const char *write : {"SETSLOT", "FAILOVER", "RESET", "ADDSLOTS", "MEET", "FORGET", "REPLICATE"})
        QTest::newRow(write) << QByteArrayList {"CLUSTER", write} << false;
}

void tst_Cluster::clusterReadsAreReadOnly()
{
    QFETCH(QByteArrayList, args);
    QFETCH(bool, allowed);
    QCOMPARE(fanout::ReadOnlyCommands::isAllowed(args), allowed);
    if (!allowed)
        return;
    // What the inspector may send, a master answers.
    RedisClient master(m_cluster.master(0).url());
    QVERIFY(master.open());
    const RedisReply reply = master.command(args);
    QVERIFY2(!reply.isError(), reply.string.constData());
}

void tst_Cluster::inspectorShowsTheShards()
{
    // Two rooms on each master; a member of every room on both nodes.
    const QStringList rooms = m_cluster.namesOnEachMaster(QStringLiteral("ws:room:"), QStringLiteral("shown-"), 2);
    QCOMPARE(rooms.size(), 6);
    const auto ownerOfKey = [this](const QByteArray &key) {
        return std::make_unique<RedisClient>(m_cluster.master(m_cluster.ownerOf(RedisCluster::slotOf(key))).url());
    };
    {
        // The nodes of the tests before were killed: their registry entries would show as vanished.
        const std::unique_ptr<RedisClient> index = ownerOfKey(fanout::NodeRecord::indexKey());
        QVERIFY(index->open());
        index->command({"DEL", fanout::NodeRecord::indexKey()});
    }
    const QStringList ids {QStringLiteral("shown-a"), QStringLiteral("shown-b")};
    NodeProcess nodes[2];
    std::vector<std::unique_ptr<TestClient>> members;
    for (int n = 0; n < 2; ++n) {
        QVERIFY2(
            nodes[n].start({"--host", "127.0.0.1", "--port", "0", "--node-id", ids.at(n), "--redis", m_cluster.url()}),
            qPrintable(nodes[n].errorString()));
        for (const QString &room : rooms) {
            members.push_back(std::make_unique<TestClient>());
            QVERIFY(members.back()->open(inRoom(nodes[n].url(), room)));
        }
    }
    QHash<QString, int> ownerOfRoom;
    for (const QString &room : rooms) {
        const QByteArray channel = "ws:room:" + room.toUtf8();
        ownerOfRoom.insert(room, m_cluster.ownerOf(RedisCluster::slotOf(channel)));
        RedisClient owner(m_cluster.master(ownerOfRoom.value(room)).url());
        QVERIFY(owner.open());
        QTRY_COMPARE(owner.command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer, qint64(2));
    }
    for (const QString &id : ids) {
        const QByteArray key = fanout::NodeRecord::key(id);
        const std::unique_ptr<RedisClient> record = ownerOfKey(key);
        QVERIFY(record->open());
        QTRY_COMPARE(record->command({"HGET", key, "room_count"}).string, QByteArray("6"));
    }
    // A node's seed connection (named as its publish connection) closes once its masters answer.
    for (int i = 0; i < m_cluster.size(); ++i) {
        RedisClient master(m_cluster.master(i).url());
        QVERIFY(master.open());
        for (const QString &id : ids)
            QTRY_COMPARE(master.clientNames().count(QStringLiteral("fanout:%1:pub").arg(id)), 1);
    }

    const QJsonObject json = inspectJson(m_cluster.url());
    QVERIFY(!json.isEmpty());
    QCOMPARE(json.value("read_only").toBool(), true);
    QVERIFY2(json.value("errors").toArray().isEmpty(), QJsonDocument(json.value("errors").toArray()).toJson());
    QVERIFY2(json.value("findings").toArray().isEmpty(), QJsonDocument(json.value("findings").toArray()).toJson());
    const QJsonObject cluster = json.value("cluster").toObject();
    QCOMPARE(cluster.value("slots_covered").toInt(), RedisCluster::SlotCount);
    QStringList seeds;
    for (int i = 0; i < m_cluster.size(); ++i)
        seeds.append(QStringLiteral("127.0.0.1:%1").arg(m_cluster.master(i).port()));
    QCOMPARE(cluster.value("seeds").toVariant().toStringList(), seeds);
    QVERIFY(seeds.contains(cluster.value("slot_map_from").toString()));

    // Every master with its slot ranges, the shard channels of the rooms whose slots it owns (two
    // subscribers each: both nodes) and each node's pair of connections.
    RedisClient admin(m_cluster.master(0).url());
    QVERIFY(admin.open());
    const QHash<quint16, QStringList> ranges = slotRangesByPort(admin);
    const QJsonArray masters = cluster.value("masters").toArray();
    QCOMPARE(masters.size(), m_cluster.size());
    for (int i = 0; i < m_cluster.size(); ++i) {
        const QString address = seeds.at(i);
        const QJsonObject master = findIn(masters, QStringLiteral("address"), address);
        QVERIFY2(!master.isEmpty(), qPrintable(address));
        QCOMPARE(master.value("slots").toVariant().toStringList(), ranges.value(m_cluster.master(i).port()));
        QVERIFY(!master.contains(QStringLiteral("error")));
        QStringList expected;
        for (const QString &room : rooms) {
            if (ownerOfRoom.value(room) == i)
                expected.append(QStringLiteral("ws:room:") + room);
        }
        expected.sort();
        QStringList listed;
        for (const QJsonValue &value : master.value("shard_channels").toArray()) {
            const QJsonObject channel = value.toObject();
            listed.append(channel.value("channel").toString());
            QCOMPARE(channel.value("numsub").toInt(), 2);
            QCOMPARE(channel.value("owner").toString(), address);
        }
        QCOMPARE(listed, expected);
        for (const QString &id : ids) {
            const QJsonObject connections
                = findIn(master.value("node_connections").toArray(), QStringLiteral("node"), id);
            QCOMPARE(connections.value("publish_connections").toInt(), 1);
            QCOMPARE(connections.value("subscribe_connections").toInt(), 1);
            QCOMPARE(connections.value("shard_subscriptions").toInt(), 2);
        }
    }
    // The snapshot's own list of shard channels names the owner of each one's slot too.
    const QJsonArray shardChannels = json.value("shard_channels").toArray();
    QCOMPARE(shardChannels.size(), rooms.size());
    for (const QString &room : rooms) {
        const QJsonObject channel = findIn(shardChannels, QStringLiteral("room"), room);
        QCOMPARE(channel.value("owner").toString(), seeds.at(ownerOfRoom.value(room)));
    }

    // Both nodes alive with their rooms, read from the masters that own their records' slots.
    const QJsonArray fleet = json.value("nodes").toArray();
    QCOMPARE(fleet.size(), 2);
    QStringList sortedRooms = rooms;
    sortedRooms.sort();
    for (const QString &id : ids) {
        const QJsonObject node = findIn(fleet, QStringLiteral("id"), id);
        QCOMPARE(node.value("vanished").toBool(), false);
        QCOMPARE(node.value("rooms").toVariant().toStringList(), sortedRooms);
        QCOMPARE(node.value("subscribe_connection").toObject().value("name").toString(),
                 QStringLiteral("fanout:%1:sub").arg(id));
    }

    // A plain URL of one of its masters has no cluster object.
    const QJsonObject plain = inspectJson(m_cluster.master(0).urlString());
    QVERIFY(!plain.isEmpty());
    QVERIFY(!plain.contains(QStringLiteral("cluster")));
}

void tst_Cluster::slotMigrationUnderSteadyTraffic()
{
    constexpr int publishIntervalMs = 20;
    const QString room = m_cluster.namesOnEachMaster(QStringLiteral("ws:room:"), QStringLiteral("moving-"), 1).first();
    const quint16 slot = RedisCluster::slotOf("ws:room:" + room.toUtf8());
    const int from = m_cluster.ownerOf(slot);
    const int to = (from + 1) % m_cluster.size();
    NodeProcess a;
    NodeProcess b;
    for (NodeProcess *node : {&a, &b}) {
        const QString id = node == &a ? QStringLiteral("moving-a") : QStringLiteral("moving-b");
        QVERIFY2(node->start({"--host", "127.0.0.1", "--port", "0", "--node-id", id, "--redis", m_cluster.url()}),
                 qPrintable(node->errorString()));
    }
    TestClient publisher;
    QVERIFY(publisher.open(inRoom(a.url(), room)));
    QElapsedTimer clock;
    clock.start();
    QWebSocket receiver;
    QList<qint64> arrivals;
    QList<int> received;
    int receiverDisconnects = 0;
    connect(&receiver, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        arrivals.append(clock.elapsed());
        received.append(text.toInt());
    });
    connect(&receiver, &QWebSocket::disconnected, this, [&] { ++receiverDisconnects; });
    QSignalSpy receiverConnected(&receiver, &QWebSocket::connected);
    receiver.open(inRoom(b.url(), room));
    QVERIFY(receiverConnected.wait(5000));
    RedisClient oldOwner(m_cluster.master(from).url());
    RedisClient newOwner(m_cluster.master(to).url());
    QVERIFY(oldOwner.open());
    QVERIFY(newOwner.open());
    const QByteArray channel = "ws:room:" + room.toUtf8();
    QTRY_COMPARE(oldOwner.command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer, qint64(2));

    int sent = 0;
    QTimer publishing;
    connect(&publishing, &QTimer::timeout, this, [&] { publisher.send(QString::number(++sent)); });
    publishing.start(publishIntervalMs);
    QTRY_VERIFY(arrivals.size() >= 10);

    // Half-way (MIGRATING/IMPORTING) the old owner still serves the channel; then the slot moves.
    QVERIFY2(m_cluster.beginMigration(slot, to), qPrintable(m_cluster.errorString()));
    QTRY_VERIFY(arrivals.size() >= 20);
    const qint64 movedAt = clock.elapsed();
    QVERIFY2(m_cluster.finishMigration(slot, to), qPrintable(m_cluster.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(newOwner.command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer, qint64(2),
                              5000);
    const auto arrivedAfterMove
        = [&] { return std::count_if(arrivals.cbegin(), arrivals.cend(), [&](qint64 at) { return at > movedAt; }); };
    QTRY_VERIFY_WITH_TIMEOUT(arrivedAfterMove() >= 20, 10000);
    publishing.stop();
    QTRY_VERIFY(received.contains(sent));
    QCOMPARE(oldOwner.command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer, qint64(0));

    const DeliveryGap gap = DeliveryGap::longest(arrivals);
    const QSet<int> distinct(received.cbegin(), received.cend());
    qInfo("slot %u moved from master %d to %d: longest delivery gap %lld ms (resumed %lld ms after SETSLOT NODE); "
          "%lld of %d messages lost, %lld duplicated",
          slot, from, to, gap.length, gap.endsAt - movedAt, qlonglong(sent - distinct.size()), sent,
          qlonglong(received.size() - distinct.size()));
    QVERIFY2(gap.length <= 2000 + publishIntervalMs, qPrintable(QString::number(gap.length)));
    QCOMPARE(received.size(), distinct.size());
    QCOMPARE(receiverDisconnects, 0);
    QCOMPARE(publisher.disconnects(), 0);
}

void tst_Cluster::durableRoomsAndPresence()
{
    // History keys live in the room's slot, where the script SPUBLISHes; a client that left
    // node a resumes on node b. Presence sets and events work across masters too.
    NodeProcess a;
    NodeProcess b;
    for (NodeProcess *node : {&a, &b}) {
        const QString id = node == &a ? QStringLiteral("durable-a") : QStringLiteral("durable-b");
        QVERIFY2(node->start({"--host", "127.0.0.1", "--port", "0", "--node-id", id, "--redis", m_cluster.url(),
                              "--history-size", "1000"}),
                 qPrintable(node->errorString()));
    }
    const QString room = m_cluster.namesOnEachMaster(QStringLiteral("ws:room:"), QStringLiteral("durable-"), 1).last();
    const QByteArray channel = "ws:room:" + room.toUtf8();
    RedisClient owner(m_cluster.master(m_cluster.ownerOf(RedisCluster::slotOf(channel))).url());
    QVERIFY(owner.open());
    TestClient publisher;
    TestClient reader;
    TestClient watcher;
    QVERIFY(publisher.open(typed(a.url())));
    QVERIFY(reader.open(typed(a.url())));
    QVERIFY(watcher.open(typed(b.url())));
    const QString join = QStringLiteral(R"({"type":"join","room":"%1"})").arg(room);
    for (TestClient *client : {&watcher, &publisher, &reader}) {
        const QString user = client == &watcher ? QStringLiteral("wanda") : QStringLiteral("paula");
        client->send(QStringLiteral(R"({"type":"auth","userId":"%1"})").arg(user));
        QTRY_COMPARE(client->ofType(QStringLiteral("authenticated")).size(), 1);
        client->send(join);
        QTRY_COMPARE(client->ofType(QStringLiteral("joined")).size(), 1);
        // Node b subscribes after the ack; paula's presence event must find it subscribed.
        if (client == &watcher)
            QTRY_COMPARE(owner.command({"PUBSUB", "SHARDNUMSUB", channel}).elements.value(1).integer, qint64(1));
    }
    // Paula's two connections are one user: one event, from the other master's node.
    const auto joinedPaula = [&watcher] {
        const QList<QJsonObject> events = watcher.ofType(QStringLiteral("presence_joined"));
        return std::count_if(events.cbegin(), events.cend(),
                             [](const QJsonObject &event) { return event.value("user").toString() == "paula"; });
    };
    QTRY_COMPARE(joinedPaula(), 1);
    QVERIFY(Quiet::holdsFor(200, [&] { return joinedPaula() == 1; }));
    watcher.send(QStringLiteral(R"({"type":"presence","room":"%1"})").arg(room));
    QTRY_COMPARE(watcher.ofType(QStringLiteral("presence")).size(), 1);
    const QJsonArray users = watcher.ofType(QStringLiteral("presence")).first().value("users").toArray();
    QCOMPARE(users.size(), 2);
    QCOMPARE(users.at(0).toObject().value("user").toString(), QStringLiteral("paula"));
    QCOMPARE(users.at(0).toObject().value("connections").toInt(), 2);
    QCOMPARE(users.at(1).toObject().value("user").toString(), QStringLiteral("wanda"));

    publisher.send(QStringLiteral(R"({"type":"message","room":"%1","content":"before"})").arg(room));
    QTRY_COMPARE(reader.ofType(QStringLiteral("message")).size(), 1);
    const QJsonObject last = reader.ofType(QStringLiteral("message")).last();
    QCOMPARE(last.value(QLatin1String("offset")).toInteger(), 1);
    reader.close();
    for (int i = 0; i < 3; ++i)
        publisher.send(QStringLiteral(R"({"type":"message","room":"%1","content":%2})").arg(room).arg(i));
    QTRY_COMPARE(watcher.ofType(QStringLiteral("message")).size(), 4);

    TestClient back;
    QVERIFY(back.open(typed(b.url())));
    back.send(QStringLiteral(R"({"type":"join","room":"%1","since":{"offset":1,"epoch":"%2"}})")
                  .arg(room, last.value(QLatin1String("epoch")).toString()));
    QTRY_COMPARE(back.ofType(QStringLiteral("message")).size(), 3);
    QCOMPARE(back.ofType(QStringLiteral("joined")).first().value(QLatin1String("recovered")).toBool(), true);
    QList<qint64> offsets;
    for (const QJsonObject &message : back.ofType(QStringLiteral("message")))
        offsets.append(message.value(QLatin1String("offset")).toInteger());
    QCOMPARE(offsets, QList<qint64>({2, 3, 4}));

    QCOMPARE(owner.command({"XLEN", '{' + channel + "}:history"}).integer, qint64(4));
    QTRY_COMPARE(owner.command({"HLEN", '{' + channel + "}:presence"}).integer, qint64(2)); // the reader left
}

void tst_Cluster::simulationOnTheCluster_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::newRow("hot-room") << QStringLiteral("hot-room");
    QTest::newRow("redis-outage") << QStringLiteral("redis-outage");
}

void tst_Cluster::simulationOnTheCluster()
{
    // The studio's engine runs its fleet on the cluster and accounts exactly as in-process.
    QFETCH(QString, scenario);
    QString error;
    auto loaded = Scenario::load(scenario, &error);
    QVERIFY2(loaded, qPrintable(error));
    loaded->seconds = std::min(loaded->seconds, 8.0);
    Simulation inProcess(*loaded);
    const auto expected = runToEnd(inProcess, {}, 0);
    Simulation onCluster(*loaded);
    const auto seen = runToEnd(onCluster, m_cluster.url(), 1.0);
    QVERIFY(expected);
    QVERIFY(seen);
    QCOMPARE(seen->broker, fanout::RedisUrl::parse(m_cluster.url(), &error)->toDisplayString());
    QCOMPARE(seen->totals.published, expected->totals.published);
    QCOMPARE(seen->totals.expected, expected->totals.expected);
    QCOMPARE(seen->totals.delivered, expected->totals.delivered);
    QCOMPARE(seen->totals.lost, expected->totals.lost);
    QCOMPARE(seen->totals.duplicates, expected->totals.duplicates);
}

QTEST_GUILESS_MAIN(tst_Cluster)
#include "tst_cluster.moc"
