#include "driftkinds.h"
#include "inspect/driftdetector.h"
#include "inspect/inspectionsnapshot.h"
#include "redis/clientinfo.h"
#include "redis/clientnames.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using fanout::DriftDetector;
using fanout::FleetNode;
using fanout::InspectionSnapshot;

Q_DECLARE_METATYPE(fanout::InspectionSnapshot)

/// What the inspector concludes from what Redis shows: CLIENT LIST parsed, the drift rules and a
/// node's state, on snapshots built by hand (tst_inspect reads them from a live fleet).
class tst_Drift : public QObject
{
    Q_OBJECT
private slots:
    void clientListParsing();
    void driftRules_data();
    void driftRules();
    void nodeStateFollowsItsConnections_data();
    void nodeStateFollowsItsConnections();
};

void tst_Drift::clientListParsing()
{
    const QByteArray list
        = "id=3 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=fanout:a:sub age=12 idle=1 flags=P db=0 sub=2 "
          "psub=0 ssub=0 multi=-1 qbuf=0 omem=1024 cmd=subscribe\n"
          "id=4 addr=127.0.0.1:5001 fd=9 name= age=3 idle=0 flags=N db=1 sub=0 psub=1 omem=0 cmd=client|list\n";
    const QList<fanout::ClientInfo> clients = fanout::ClientInfo::parseList(list);
    QCOMPARE(clients.size(), 2);
    QCOMPARE(clients[0].name, QStringLiteral("fanout:a:sub"));
    QCOMPARE(clients[0].subscriptions, 2);
    QCOMPARE(clients[0].outputMemory, 1024);
    QCOMPARE(clients[0].address, QStringLiteral("127.0.0.1:5000"));
    QVERIFY(clients[0].isSubscriber());
    QCOMPARE(clients[1].name, QString());
    QCOMPARE(clients[1].db, 1);
    QVERIFY(clients[1].isSubscriber());
    QCOMPARE(clients[1].lastCommand, QStringLiteral("client|list"));
}

void tst_Drift::driftRules_data()
{
    QTest::addColumn<InspectionSnapshot>("snapshot");
    QTest::addColumn<QStringList>("expected");

    InspectionSnapshot healthy;
    healthy.prefix = QStringLiteral("ws:room:");
    healthy.takenAtMs = 100000;
    healthy.channels = {{"ws:room:r", "r", 1, -1, {}}};
    fanout::ClientInfo sub;
    sub.name = QStringLiteral("fanout:n1:sub");
    sub.subscriptions = 1;
    healthy.clients = {sub};
    fanout::FleetNode node;
    node.record.id = QStringLiteral("n1");
    node.record.prefix = healthy.prefix;
    node.record.rooms = {"r"};
    node.record.roomCount = 1;
    node.subscribeClient = 0;
    healthy.nodes = {node};
    QTest::addRow("healthy") << healthy << QStringList();

    InspectionSnapshot lost = healthy;
    lost.channels.clear();
    lost.clients[0].subscriptions = 0;
    QTest::addRow("lost resubscribe") << lost << QStringList {"missing_subscription", "missing_subscriptions"};

    InspectionSnapshot noConnection = healthy;
    noConnection.nodes[0].subscribeClient = -1;
    noConnection.clients.clear();
    noConnection.channels.clear();
    QTest::addRow("no subscribe connection")
        << noConnection << QStringList {"missing_subscription", "no_subscribe_connection"};

    InspectionSnapshot leak = healthy;
    leak.channels.push_back({"ws:room:old", "old", 1, -1, {}});
    leak.clients[0].subscriptions = 2;
    QTest::addRow("leak") << leak << QStringList {"extra_subscriptions", "subscription_without_members"};

    InspectionSnapshot seedNode = healthy;
    fanout::ClientInfo anonymous;
    anonymous.subscriptions = 1;
    seedNode.clients.push_back(anonymous);
    seedNode.channels.push_back({"ws:room:theirs", "theirs", 1, -1, {}});
    QTest::addRow("unregistered seed node") << seedNode << QStringList {"unattributed_subscription"};

    InspectionSnapshot vanished = healthy;
    vanished.nodes[0].state = FleetNode::State::Vanished;
    vanished.nodes[0].lastSeenMs = 40000;
    vanished.channels.clear();
    vanished.clients.clear();
    QTest::addRow("vanished node") << vanished << QStringList {"vanished_node"};

    // A crashed node's rooms have no members left: one finding in place of its missing subscriptions.
    InspectionSnapshot suspect = healthy;
    suspect.nodes[0].state = FleetNode::State::Suspect;
    suspect.nodes[0].subscribeClient = -1;
    suspect.channels.clear();
    suspect.clients.clear();
    QTest::addRow("suspect node") << suspect << QStringList {"suspect_node"};

    InspectionSnapshot fullBuffer = healthy;
    fullBuffer.clients[0].outputMemory = 5 * 1024 * 1024;
    QTest::addRow("output buffer") << fullBuffer << QStringList {"output_buffer_near_limit"};

    InspectionSnapshot otherPrefix = healthy;
    otherPrefix.nodes[0].record.prefix = QStringLiteral("app:");
    otherPrefix.channels.clear();
    QTest::addRow("node of another prefix") << otherPrefix << QStringList();

    // On a Cluster nodes hold shard channels, on a subscribe connection per master.
    InspectionSnapshot cluster = healthy;
    cluster.cluster = fanout::ClusterInfo();
    cluster.channels.clear();
    cluster.shardChannels = {{"ws:room:r", "r", 1, -1, "10.0.0.1:7000"}, {"ws:room:s", "s", 1, -1, "10.0.0.2:7000"}};
    cluster.clients[0].subscriptions = 0;
    cluster.clients[0].shardSubscriptions = 1;
    cluster.clients.push_back(cluster.clients[0]);
    cluster.nodes[0].record.rooms = {"r", "s"};
    cluster.nodes[0].record.roomCount = 2;
    QTest::addRow("cluster") << cluster << QStringList();

    InspectionSnapshot lostShard = cluster;
    lostShard.shardChannels.pop_back();
    lostShard.clients[1].shardSubscriptions = 0;
    QTest::addRow("cluster, lost shard subscription")
        << lostShard << QStringList {"missing_subscription", "missing_subscriptions"};

    InspectionSnapshot leakedShard = cluster;
    leakedShard.shardChannels.push_back({"ws:room:old", "old", 1, -1, "10.0.0.1:7000"});
    leakedShard.clients[0].shardSubscriptions = 2;
    QTest::addRow("cluster, leaked shard subscription")
        << leakedShard << QStringList {"extra_subscriptions", "subscription_without_members"};

    // A classic subscription is not what a node needs there.
    InspectionSnapshot classic = cluster;
    classic.channels = classic.shardChannels;
    classic.shardChannels.clear();
    for (fanout::ClientInfo &client : classic.clients)
        std::swap(client.subscriptions, client.shardSubscriptions);
    QTest::addRow("cluster, classic subscriptions")
        << classic << QStringList {"missing_subscription", "missing_subscription", "missing_subscriptions"};
}

void tst_Drift::driftRules()
{
    QFETCH(InspectionSnapshot, snapshot);
    QFETCH(QStringList, expected);
    snapshot.findings = DriftDetector::detect(snapshot);
    QCOMPARE(driftKinds(snapshot), expected);
}

void tst_Drift::nodeStateFollowsItsConnections_data()
{
    QTest::addColumn<QStringList>("connections");
    QTest::addColumn<bool>("clientsListed");
    QTest::addColumn<bool>("recordExpired");
    QTest::addColumn<QString>("state");
    const QString pub = fanout::ClientNames::nodePublish(QStringLiteral("n1"));
    const QString sub = fanout::ClientNames::nodeSubscribe(QStringLiteral("n1"));
    const QStringList others {fanout::ClientNames::nodePublish(QStringLiteral("n2")), QStringLiteral("someone")};
    QTest::addRow("both connections") << QStringList {pub, sub} << true << false << "alive";
    QTest::addRow("publish connection only") << QStringList {pub} << true << false << "alive";
    QTest::addRow("subscribe connection only") << QStringList {sub} << true << false << "alive";
    QTest::addRow("no connection of its own") << others << true << false << "suspect";
    QTest::addRow("CLIENT LIST refused") << QStringList() << false << false << "alive";
    QTest::addRow("record expired") << QStringList {pub, sub} << true << true << "vanished";
    QTest::addRow("record expired, no connection") << others << true << true << "vanished";
}

void tst_Drift::nodeStateFollowsItsConnections()
{
    QFETCH(QStringList, connections);
    QFETCH(bool, clientsListed);
    QFETCH(bool, recordExpired);
    QFETCH(QString, state);
    InspectionSnapshot snapshot;
    for (const QString &name : connections) {
        fanout::ClientInfo client;
        client.name = name;
        snapshot.clients.push_back(client);
    }
    snapshot.clientsListed = clientsListed;
    FleetNode node;
    node.record.id = QStringLiteral("n1");
    node.state = recordExpired ? FleetNode::State::Vanished : FleetNode::State::Alive;
    snapshot.nodes = {node};
    snapshot.attachNodeConnections();
    QCOMPARE(FleetNode::stateName(snapshot.nodes[0].state), state);
    const QJsonObject json = snapshot.toJson().value("nodes").toArray().first().toObject();
    QCOMPARE(json.value("state").toString(), state);
    QCOMPARE(json.value("vanished").toBool(), state == QLatin1String("vanished"));
}

QTEST_GUILESS_MAIN(tst_Drift)
#include "tst_drift.moc"
