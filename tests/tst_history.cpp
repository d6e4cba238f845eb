#include "busfixture.h"
#include "node/node.h"
#include "quiet.h"
#include "recordingsession.h"
#include "redis/redisbroker.h"
#include "redisserver.h"
#include "testclient.h"
#include "transport/nodeserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using fanout::Node;
using fanout::SessionProtocol;

namespace {

const fanout::HistoryPolicy History {100000, 600};
const QString Room = QStringLiteral("r");

/// Nodes with a history, each with one typed member of the room, built on the row's bus.
class HistoryFleet
{
public:
    HistoryFleet(BusFixture &bus, int nodes)
        : HistoryFleet([&bus](const QString &id) { return bus.makeBroker(id); }, nodes)
    { }
    HistoryFleet(const std::function<fanout::Broker *(const QString &)> &makeBroker, int nodes)
    {
        for (int i = 0; i < nodes; ++i) {
            const QString id = QStringLiteral("h%1").arg(i);
            m_nodes.push_back(std::make_unique<Node>(fanout::NodeConfig::named(id, History), makeBroker(id)));
            m_members.push_back(std::make_unique<RecordingSession>(id + QStringLiteral("/m"), SessionProtocol::Typed));
        }
    }
    ~HistoryFleet()
    {
        for (size_t i = 0; i < m_nodes.size(); ++i)
            m_nodes[i]->detach(m_members[i].get());
    }

    /// Waits for every broker, joins each node's member and waits until every node holds its
    /// subscription to the room.
    bool joinAll()
    {
        for (const auto &node : m_nodes) {
            if (!BusFixture::waitConnected(node->broker()))
                return false;
        }
        for (size_t i = 0; i < m_nodes.size(); ++i) {
            m_nodes[i]->attach(m_members[i].get());
            m_nodes[i]->join(m_members[i].get(), Room);
        }
        return QTest::qWaitFor(
            [this] {
                return std::all_of(m_nodes.begin(), m_nodes.end(), [](const auto &node) {
                    const fanout::Broker *broker = node->broker();
                    return broker->subscriptions().contains(node->channelFor(Room)) && broker->pendingSubscribes() == 0;
                });
            },
            5000);
    }

    Node &node(int i) { return *m_nodes[size_t(i)]; }
    RecordingSession &member(int i) { return *m_members[size_t(i)]; }
    int size() const { return int(m_nodes.size()); }

private:
    std::vector<std::unique_ptr<Node>> m_nodes;
    std::vector<std::unique_ptr<RecordingSession>> m_members;
};

/// The offsets of the message frames a member got, in arrival order.
QList<quint64> offsetsOf(const RecordingSession &member)
{
    QList<quint64> offsets;
    for (const QString &frame : member.frames) {
        const QJsonObject object = QJsonDocument::fromJson(frame.toUtf8()).object();
        if (object.value(QLatin1String("type")).toString() == QLatin1String("message"))
            offsets.append(quint64(object.value(QLatin1String("offset")).toDouble()));
    }
    return offsets;
}

QList<quint64> oneTo(quint64 count)
{
    QList<quint64> offsets;
    for (quint64 i = 1; i <= count; ++i)
        offsets.append(i);
    return offsets;
}

bool hasFrameOfType(const RecordingSession &member, const QString &type)
{
    return std::any_of(member.frames.begin(), member.frames.end(), [&](const QString &frame) {
        return QJsonDocument::fromJson(frame.toUtf8()).object().value(QLatin1String("type")).toString() == type;
    });
}

/// Empty when every member of the fleet got messages 1..count once each, in order, and was
/// never told history_lost; otherwise what went wrong.
QString everyMemberGotAll(HistoryFleet &fleet, int count, int timeoutMs)
{
    for (int m = 0; m < fleet.size(); ++m) {
        const RecordingSession &member = fleet.member(m);
        if (!QTest::qWaitFor([&] { return member.frames.size() >= count; }, timeoutMs))
            return QStringLiteral("member %1 got %2 of %3 frames").arg(m).arg(member.frames.size()).arg(count);
        if (offsetsOf(member) != oneTo(quint64(count)))
            return QStringLiteral("member %1 did not get offsets 1..%2 once each, in order").arg(m).arg(count);
        if (hasFrameOfType(member, QStringLiteral("history_lost")))
            return QStringLiteral("member %1 was told history_lost").arg(m);
    }
    return {};
}

}

/// Rooms with a history: every member of every node gets every message once, in offset
/// order, whatever happens to the subscribe connections; what cannot be recovered is told.
class tst_History : public QObject
{
    Q_OBJECT
private slots:
    void membersGetEveryMessageInOrder_data() { BusFixture::addKindRows(); }
    void membersGetEveryMessageInOrder();
    void partitionedNodeRecoversOnHeal_data() { BusFixture::addKindRows(); }
    void partitionedNodeRecoversOnHeal();
    void restartedNodeWithTheSameIdIsNotADuplicate_data() { BusFixture::addKindRows(); }
    void restartedNodeWithTheSameIdIsNotADuplicate();
    void killedSubscribeConnectionsLoseNothing();
    void lostHistoryIsTold();
    void crashWithAppendOnlyFileLosesNothing();
    void offsetsStayGapFreeUnderLoad();
    void clientResumesWithSince_data() { BusFixture::addKindRows(); }
    void clientResumesWithSince();
    void joinWithHistoryGetsTheLatest_data() { BusFixture::addKindRows(); }
    void joinWithHistoryGetsTheLatest();
    void staleEpochIsNotRecovered();
    void badHistoryRequestsAreRefused_data();
    void badHistoryRequestsAreRefused();
};

namespace {

/// One node with a history behind a real WebSocket listener.
struct ServedNode {
    explicit ServedNode(BusFixture &bus)
        : node(fanout::NodeConfig::named(QStringLiteral("served"), History), bus.makeBroker(QStringLiteral("served"))),
          server(&node)
    {
        listening = server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl typedUrl() const
    {
        QUrl url = server.url();
        url.setPath(fanout::NodeServer::TypedPath);
        return url;
    }
    Node node;
    fanout::NodeServer server;
    bool listening = false;
};

QList<quint64> messageOffsets(const TestClient &client)
{
    QList<quint64> offsets;
    for (const QJsonObject &message : client.ofType(QStringLiteral("message")))
        offsets.append(quint64(message.value(QLatin1String("offset")).toDouble()));
    return offsets;
}

QList<quint64> range(quint64 first, quint64 last)
{
    QList<quint64> offsets;
    for (quint64 i = first; i <= last; ++i)
        offsets.append(i);
    return offsets;
}

}

void tst_History::clientResumesWithSince()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    ServedNode served(*bus);
    QVERIFY(served.listening);
    TestClient publisher;
    QVERIFY(publisher.open(served.typedUrl()));
    publisher.send(R"({"type":"join","room":"r"})");
    TestClient reader;
    QVERIFY(reader.open(served.typedUrl()));
    reader.send(R"({"type":"join","room":"r"})");
    QTRY_COMPARE(reader.ofType(QStringLiteral("joined")).size(), 1);
    QTRY_COMPARE(publisher.ofType(QStringLiteral("joined")).size(), 1);
    for (int i = 0; i < 5; ++i)
        publisher.send(QStringLiteral(R"({"type":"message","room":"r","content":%1})").arg(i));
    QTRY_COMPARE(messageOffsets(reader), range(1, 5));
    const QString epoch = reader.ofType(QStringLiteral("message")).last().value(QLatin1String("epoch")).toString();
    reader.close();
    QTRY_VERIFY(!reader.isConnected());
    for (int i = 0; i < 20; ++i) // missed while away
        publisher.send(QStringLiteral(R"({"type":"message","room":"r","content":%1})").arg(i));
    QTRY_COMPARE(messageOffsets(publisher).size(), 25);

    TestClient back;
    QVERIFY(back.open(served.typedUrl()));
    back.send(QStringLiteral(R"({"type":"join","room":"r","since":{"offset":5,"epoch":"%1"}})").arg(epoch));
    publisher.send(R"({"type":"message","room":"r","content":"live"})");
    QTRY_COMPARE(messageOffsets(back), range(6, 26)); // the 20 missed, then the live one
    const QJsonObject joined = back.ofType(QStringLiteral("joined")).first();
    QCOMPARE(joined.value(QLatin1String("recovered")).toBool(), true);
    QCOMPARE(joined.value(QLatin1String("epoch")).toString(), epoch);
    QVERIFY(joined.value(QLatin1String("offset")).toInteger() >= 25);
    QVERIFY(Quiet::holdsFor(200, [&] { return messageOffsets(back) == range(6, 26); }));
}

void tst_History::joinWithHistoryGetsTheLatest()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    ServedNode served(*bus);
    QVERIFY(served.listening);
    TestClient publisher;
    QVERIFY(publisher.open(served.typedUrl()));
    publisher.send(R"({"type":"join","room":"r"})");
    QTRY_COMPARE(publisher.ofType(QStringLiteral("joined")).size(), 1);
    for (int i = 1; i <= 30; ++i)
        publisher.send(QStringLiteral(R"({"type":"message","room":"r","content":%1})").arg(i));
    QTRY_COMPARE(messageOffsets(publisher).size(), 30);
    TestClient late;
    QVERIFY(late.open(served.typedUrl()));
    late.send(R"({"type":"join","room":"r","history":10})");
    QTRY_COMPARE(late.ofType(QStringLiteral("history")).size(), 1);
    const QJsonObject history = late.ofType(QStringLiteral("history")).first();
    QCOMPARE(history.value(QLatin1String("offset")).toInteger(), 30);
    const QJsonArray messages = history.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 10);
    QCOMPARE(messages.first().toObject().value(QLatin1String("content")).toInt(), 21);
    QCOMPARE(messages.last().toObject().value(QLatin1String("offset")).toInteger(), 30);
    QVERIFY(late.messages().indexOf(QRegularExpression(QStringLiteral(".*\"type\":\"joined\".*")))
            < late.messages().indexOf(QRegularExpression(QStringLiteral(".*\"type\":\"history\".*"))));
}

void tst_History::staleEpochIsNotRecovered()
{
    QString error;
    auto bus = BusFixture::create(QStringLiteral("in-process"), &error);
    QVERIFY2(bus, qPrintable(error));
    ServedNode served(*bus);
    QVERIFY(served.listening);
    TestClient client;
    QVERIFY(client.open(served.typedUrl()));
    client.send(R"({"type":"join","room":"r","since":{"offset":3,"epoch":"an-old-epoch"}})");
    QTRY_COMPARE(client.ofType(QStringLiteral("joined")).size(), 1);
    QCOMPARE(client.ofType(QStringLiteral("joined")).first().value(QLatin1String("recovered")).toBool(), false);
    QVERIFY(messageOffsets(client).isEmpty());
}

void tst_History::badHistoryRequestsAreRefused_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addRow("negative") << R"({"type":"join","room":"r","history":-1})";
    QTest::addRow("fraction") << R"({"type":"join","room":"r","history":2.5})";
    QTest::addRow("huge") << R"({"type":"join","room":"r","history":1e12})";
    QTest::addRow("text") << R"({"type":"join","room":"r","history":"10"})";
    QTest::addRow("since not an object") << R"({"type":"join","room":"r","since":5})";
    QTest::addRow("since without epoch") << R"({"type":"join","room":"r","since":{"offset":5}})";
    QTest::addRow("since negative") << R"({"type":"join","room":"r","since":{"offset":-5,"epoch":"e"}})";
    QTest::addRow("both") << R"({"type":"join","room":"r","history":1,"since":{"offset":5,"epoch":"e"}})";
}

void tst_History::badHistoryRequestsAreRefused()
{
    QFETCH(QString, frame);
    QString error;
    auto bus = BusFixture::create(QStringLiteral("in-process"), &error);
    QVERIFY2(bus, qPrintable(error));
    ServedNode served(*bus);
    QVERIFY(served.listening);
    TestClient client;
    QVERIFY(client.open(served.typedUrl()));
    client.send(frame);
    QTRY_COMPARE(client.ofType(QStringLiteral("error")).size(), 1);
    QCOMPARE(client.ofType(QStringLiteral("error")).first().value(QLatin1String("code")).toString(),
             QStringLiteral("invalid_history"));
    QVERIFY(client.ofType(QStringLiteral("joined")).isEmpty()); // nothing else changed
    QCOMPARE(served.node.memberCount(Room), 0);
}

void tst_History::membersGetEveryMessageInOrder()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    HistoryFleet fleet(*bus, 2);
    QVERIFY(fleet.joinAll());
    for (int i = 0; i < 50; ++i)
        fleet.node(i % 2).publish(Room, QByteArray::number(i));
    for (int m = 0; m < fleet.size(); ++m)
        QTRY_COMPARE(offsetsOf(fleet.member(m)), oneTo(50));
}

void tst_History::partitionedNodeRecoversOnHeal()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    HistoryFleet fleet(*bus, 2);
    QVERIFY(fleet.joinAll());
    fleet.node(0).publish(Room, "1");
    QTRY_COMPARE(offsetsOf(fleet.member(1)), oneTo(1));
    fleet.node(1).broker()->setLinkUp(false);
    for (int i = 0; i < 10; ++i)
        fleet.node(i % 2).publish(Room, QByteArray::number(i)); // node 1's own wait in its queue
    QTRY_COMPARE(offsetsOf(fleet.member(0)).size(), 6);
    QCOMPARE(offsetsOf(fleet.member(1)), oneTo(1)); // order beats liveness: no local-only delivery
    fleet.node(1).broker()->setLinkUp(true);
    for (int m = 0; m < fleet.size(); ++m)
        QTRY_COMPARE_WITH_TIMEOUT(offsetsOf(fleet.member(m)), oneTo(11), 5000);
}

void tst_History::restartedNodeWithTheSameIdIsNotADuplicate()
{
    // Message ids restart with the process; a node restarted under its old --node-id publishes
    // new messages, not the old ones again.
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    HistoryFleet fleet(*bus, 1);
    QVERIFY(fleet.joinAll());
    const fanout::NodeConfig config = fanout::NodeConfig::named(QStringLiteral("same-id"), History);
    for (int life = 0; life < 2; ++life) {
        Node publisher(config, bus->makeBroker(QStringLiteral("same-id")));
        QTRY_COMPARE(publisher.broker()->state(), fanout::Broker::State::Connected);
        for (int i = 0; i < 3; ++i)
            publisher.publish(Room, QByteArray::number(life * 3 + i));
        QTRY_COMPARE(fleet.member(0).frames.size(), (life + 1) * 3);
    }
    QCOMPARE(offsetsOf(fleet.member(0)), oneTo(6));
}

void tst_History::killedSubscribeConnectionsLoseNothing()
{
    // Four publishers on two nodes; the subscribe connections are cut three times meanwhile.
    QString error;
    auto bus = BusFixture::create(QStringLiteral("redis"), &error);
    QVERIFY2(bus, qPrintable(error));
    HistoryFleet fleet(*bus, 2);
    QVERIFY(fleet.joinAll());
    constexpr int Messages = 2000;
    int sent = 0;
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < Messages / 4; ++i, ++sent)
            fleet.node(sent % 2).publish(Room, QByteArray::number(sent));
        QVERIFY(QTest::qWaitFor([&] { return fleet.member(0).frames.size() > sent / 2; }, 5000));
        if (round < 3)
            QVERIFY(!bus->command({"CLIENT", "KILL", "TYPE", "pubsub"}).isError());
    }
    const QString failure = everyMemberGotAll(fleet, Messages, 10000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void tst_History::lostHistoryIsTold()
{
    // Redis restarted without persistence: a new epoch starts, and members hear that the
    // messages before it are gone.
    QString error;
    auto bus = BusFixture::create(QStringLiteral("redis"), &error);
    QVERIFY2(bus, qPrintable(error));
    HistoryFleet fleet(*bus, 1);
    QVERIFY(fleet.joinAll());
    fleet.node(0).publish(Room, "1");
    QTRY_COMPARE(offsetsOf(fleet.member(0)), oneTo(1));
    bus->takeDown();
    QTRY_VERIFY(fleet.node(0).broker()->state() != fanout::Broker::State::Connected);
    QVERIFY(bus->bringUp());
    QTRY_COMPARE_WITH_TIMEOUT(fleet.node(0).broker()->state(), fanout::Broker::State::Connected, 10000);
    fleet.node(0).publish(Room, "2");
    QTRY_VERIFY(hasFrameOfType(fleet.member(0), QStringLiteral("history_lost")));
    QTRY_COMPARE(offsetsOf(fleet.member(0)), QList<quint64>({1, 1})); // the new epoch's first
    QCOMPARE(fleet.node(0).stats().historyLost, 1u);
}

void tst_History::crashWithAppendOnlyFileLosesNothing()
{
    // Redis persisting every write (appendfsync always) is killed mid-load and started again on
    // its files: what it accepted before, what was in flight and what the nodes parked meanwhile
    // all reach every member once, in order.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList durable {"--dir", dir.path(), "--appendonly", "yes", "--appendfsync", "always"};
    RedisServer redis;
    QVERIFY2(redis.start(0, durable), qPrintable(redis.errorString()));
    HistoryFleet fleet([&redis](const QString &id) { return new fanout::RedisBroker(redis.url(), id); }, 2);
    QVERIFY(fleet.joinAll());
    constexpr int Messages = 600;
    for (int i = 0; i < Messages / 2; ++i)
        fleet.node(i % 2).publish(Room, QByteArray::number(i));
    QVERIFY(QTest::qWaitFor([&] { return fleet.member(0).frames.size() >= 50; }, 5000));
    redis.kill();
    for (int i = Messages / 2; i < Messages; ++i)
        fleet.node(i % 2).publish(Room, QByteArray::number(i));
    QVERIFY2(redis.start(redis.port(), durable), qPrintable(redis.errorString()));
    const QString failure = everyMemberGotAll(fleet, Messages, 15000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void tst_History::offsetsStayGapFreeUnderLoad()
{
    // Eight publishers over two nodes, one room: the offsets every member sees are 1..N.
    QString error;
    auto bus = BusFixture::create(QStringLiteral("redis"), &error);
    QVERIFY2(bus, qPrintable(error));
    HistoryFleet fleet(*bus, 2);
    QVERIFY(fleet.joinAll());
    constexpr int Messages = 100000;
    for (int i = 0; i < Messages; ++i) {
        fleet.node(i % 2).publish(Room, QByteArray::number(i), fanout::Envelope::Kind::Message,
                                  QStringLiteral("publisher-%1").arg(i % 8));
        if (i % 5000 == 4999)
            QVERIFY(QTest::qWaitFor([&] { return fleet.member(0).frames.size() > i - 10000; }, 10000));
    }
    const QString failure = everyMemberGotAll(fleet, Messages, 30000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

QTEST_GUILESS_MAIN(tst_History)
#include "tst_history.moc"
