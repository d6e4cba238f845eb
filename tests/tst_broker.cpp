#include "broker/globpattern.h"
#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "broker/publishqueue.h"
#include "busfixture.h"
#include "envelope/envelope.h"
#include "quiet.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using fanout::Broker;
using fanout::HistoryAppend;
using fanout::HistoryQuery;
using fanout::HistoryRead;
using fanout::StreamPosition;

namespace {

/// Publishes `count` messages into the history of "ch" as ids first.. of origin "o" and waits
/// for their positions (an empty position for one that failed).
std::vector<StreamPosition> publishToHistory(Broker &broker, int count, quint64 first = 1, qint64 size = 100)
{
    auto positions = std::make_shared<std::vector<StreamPosition>>();
    for (int i = 0; i < count; ++i) {
        HistoryAppend append {
            {size, 60}, QStringLiteral("o"), first + quint64(i), [positions](std::optional<StreamPosition> p) {
                positions->push_back(p.value_or(StreamPosition()));
            }};
        broker.publishToHistory("ch", R"({"payload":)" + QByteArray::number(first + quint64(i)) + '}',
                                std::move(append));
    }
    (void)QTest::qWaitFor([&] { return int(positions->size()) == count; }, 5000);
    return *positions;
}

HistoryRead readHistory(Broker &broker, const HistoryQuery &query)
{
    auto result = std::make_shared<std::optional<HistoryRead>>();
    broker.readHistory("ch", query, [result](const HistoryRead &read) { *result = read; });
    (void)QTest::qWaitFor([&] { return result->has_value(); }, 5000);
    return result->value_or(HistoryRead());
}

QList<quint64> offsetsOf(const HistoryRead &read)
{
    QList<quint64> offsets;
    for (const auto &entry : read.entries)
        offsets.append(entry.offset);
    return offsets;
}

/// Two connections on the row's bus, both connected and subscribed to "ch" as the server sees
/// it; false when that does not happen within the usual time.
bool twoSubscribers(BusFixture &bus, std::unique_ptr<Broker> &a, std::unique_ptr<Broker> &b)
{
    a.reset(bus.makeBroker(QStringLiteral("a")));
    b.reset(bus.makeBroker(QStringLiteral("b")));
    if (!BusFixture::waitConnected(a.get()) || !BusFixture::waitConnected(b.get()))
        return false;
    a->subscribe("ch");
    b->subscribe("ch");
    return QTest::qWaitFor([&bus] { return bus.numsub("ch") == 2; }, 5000);
}

/// Rows of every broker kind, with the default offline queue and with none ("capacity").
void addKindAndQueueRows()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("capacity");
    for (const QString &kind : BusFixture::brokerKinds()) {
        QTest::addRow("%s", qPrintable(kind)) << kind << int(fanout::PublishQueue::DefaultCapacity);
        QTest::addRow("%s, no offline queue", qPrintable(kind)) << kind << 0;
    }
}

fanout::PresenceChange presenceChange(fanout::PresenceChange::Kind kind, const QList<fanout::PresenceEntry> &entries,
                                      qint64 ttlMs = 60000)
{
    fanout::PresenceChange change;
    change.kind = kind;
    change.set = "{ch}:presence";
    change.entries.assign(entries.cbegin(), entries.cend());
    change.nowMs = QDateTime::currentMSecsSinceEpoch();
    change.expiresAtMs = change.nowMs + ttlMs;
    change.eventChannel = "ch";
    change.joinedFormat = R"({"joined":$user,"node":$node,"ts":$ts})";
    change.leftFormat = R"({"left":$user,"node":$node})";
    return change;
}

/// Applies a change and waits for the broker's answer: the entries the set still holds.
qint64 changePresence(Broker &broker, const fanout::PresenceChange &change, qint64 ttlMs = 60000)
{
    auto remaining = std::make_shared<std::optional<qint64>>();
    broker.changePresence(change, ttlMs, [remaining](qint64 left) { *remaining = left; });
    (void)QTest::qWaitFor([&] { return remaining->has_value(); }, 5000);
    return remaining->value_or(-2);
}

QStringList presentConnections(Broker &broker)
{
    auto result = std::make_shared<std::optional<fanout::PresenceRead>>();
    broker.readPresence("{ch}:presence", QDateTime::currentMSecsSinceEpoch(),
                        [result](const fanout::PresenceRead &read) { *result = read; });
    (void)QTest::qWaitFor([&] { return result->has_value(); }, 5000);
    QStringList connections;
    for (const auto &entry : result->value_or(fanout::PresenceRead()).entries)
        connections.append(entry.connection);
    connections.sort();
    return connections;
}

}

/// The Broker contract, run against the in-process bus and a real redis-server.
class tst_Broker : public QObject
{
    Q_OBJECT
private slots:
    void publishReachesSubscribers_data() { BusFixture::addBrokerKindRows(); }
    void publishReachesSubscribers();
    void deliveryIsNeverSynchronous_data() { BusFixture::addBrokerKindRows(); }
    void deliveryIsNeverSynchronous();
    void unsubscribeStopsDelivery_data() { BusFixture::addBrokerKindRows(); }
    void unsubscribeStopsDelivery();
    void outageForgetsSubscriptionsAndQueuesPublishes_data() { BusFixture::addBrokerKindRows(); }
    void outageForgetsSubscriptionsAndQueuesPublishes();
    void introspection_data() { BusFixture::addBrokerKindRows(); }
    void introspection();
    void partitionCutsOneConnection_data() { BusFixture::addBrokerKindRows(); }
    void partitionCutsOneConnection();
    void publishWhileConnecting_data() { addKindAndQueueRows(); }
    void publishWhileConnecting();
    void publishRightAfterSubscribingComesBack_data() { addKindAndQueueRows(); }
    void publishRightAfterSubscribingComesBack();

    void historyOffsetsAreGapFree_data() { BusFixture::addBrokerKindRows(); }
    void historyOffsetsAreGapFree();
    void resentHistoryPublishIsStoredOnce_data() { BusFixture::addBrokerKindRows(); }
    void resentHistoryPublishIsStoredOnce();
    void historyReads_data() { BusFixture::addBrokerKindRows(); }
    void historyReads();
    void historyIsTrimmed_data() { BusFixture::addBrokerKindRows(); }
    void historyIsTrimmed();
    void restartWithoutPersistenceChangesTheEpoch_data() { BusFixture::addBrokerKindRows(); }
    void restartWithoutPersistenceChangesTheEpoch();
    void lostScriptsAreLoadedAgain_data() { BusFixture::addBrokerKindRows(); }
    void lostScriptsAreLoadedAgain();

    void partitionLosesMessagesInFlight();
    void presenceCountsSubjectsOnce_data() { BusFixture::addBrokerKindRows(); }
    void presenceCountsSubjectsOnce();
    void presenceSweepsExpiredAndRefreshRestores_data() { BusFixture::addBrokerKindRows(); }
    void presenceSweepsExpiredAndRefreshRestores();
    void globMatchesLikeRedis_data();
    void globMatchesLikeRedis();
    void publishQueueDropsOldest();
};

void tst_Broker::publishReachesSubscribers()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(twoSubscribers(*bus, a, b));

    QSignalSpy receivedA(a.get(), &Broker::messageReceived);
    QSignalSpy receivedB(b.get(), &Broker::messageReceived);
    qint64 reply = -2;
    a->publish("ch", "m1", [&](qint64 receivers) { reply = receivers; });
    QTRY_COMPARE(reply, 2);
    QTRY_COMPARE(receivedA.size(), 1);
    QTRY_COMPARE(receivedB.size(), 1);
    QCOMPARE(receivedB.first().at(0).toByteArray(), QByteArray("ch"));
    QCOMPARE(receivedB.first().at(1).toByteArray(), QByteArray("m1"));

    for (int i = 0; i < 100; ++i)
        a->publish("ch", QByteArray::number(i));
    QTRY_COMPARE(receivedB.size(), 101);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(receivedB.at(i + 1).at(1).toByteArray(), QByteArray::number(i));
    QCOMPARE(a->stats().published, 101u);
    QCOMPARE(b->stats().messagesReceived, 101u);
}

void tst_Broker::deliveryIsNeverSynchronous()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    a->subscribe("self");
    QTRY_COMPARE(bus->numsub("self"), 1);
    QSignalSpy received(a.get(), &Broker::messageReceived);
    bool replied = false;
    a->publish("self", "x", [&](qint64) { replied = true; });
    QCOMPARE(received.size(), 0);
    QVERIFY(!replied);
    QTRY_COMPARE(received.size(), 1);
    QTRY_VERIFY(replied);
}

void tst_Broker::unsubscribeStopsDelivery()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    a->subscribe("ch");
    QTRY_COMPARE(bus->numsub("ch"), 1);
    QCOMPARE(a->subscriptions(), QSet<QByteArray> {"ch"});
    a->unsubscribe("ch");
    QTRY_COMPARE(bus->numsub("ch"), 0);
    QVERIFY(a->subscriptions().isEmpty());
    QCOMPARE(bus->publish("ch", "lost"), 0);
}

void tst_Broker::outageForgetsSubscriptionsAndQueuesPublishes()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    a->setOfflineQueueCapacity(2);
    a->subscribe("ch");
    QTRY_COMPARE(bus->numsub("ch"), 1);

    bus->takeDown();
    QTRY_VERIFY(a->state() != Broker::State::Connected);
    QVERIFY(a->subscriptions().isEmpty());
    a->subscribe("ignored-while-down");

    QList<qint64> replies(3, -2);
    for (int i = 0; i < 3; ++i)
        a->publish("ch", QByteArray::number(i), [&replies, i](qint64 n) { replies[i] = n; });
    QCOMPARE(replies.at(0), -1); // dropped to make room: the queue holds two
    QCOMPARE(a->stats().publishesQueued, 3u);
    QCOMPARE(a->stats().publishesDropped, 1u);

    QVERIFY(bus->bringUp());
    QVERIFY(BusFixture::waitConnected(a.get(), 5000));
    QVERIFY(a->subscriptions().isEmpty());
    QTRY_VERIFY(replies.at(1) >= 0 && replies.at(2) >= 0);
    QCOMPARE(bus->numsub("ignored-while-down"), 0);
    QCOMPARE(a->stats().reconnects, 1u);
}

void tst_Broker::introspection()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    std::unique_ptr<Broker> b(bus->makeBroker(QStringLiteral("b")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    QVERIFY(BusFixture::waitConnected(b.get()));
    a->subscribe("ws:room:1");
    a->subscribe("ws:room:2");
    b->subscribe("ws:room:2");
    b->subscribe("other:3");
    QTRY_COMPARE(bus->channels("ws:room:*"), QStringList({"ws:room:1", "ws:room:2"}));
    // b's subscriptions travel on b's own connection (on a Cluster, perhaps to another master).
    QTRY_COMPARE(bus->channels("*"), QStringList({"other:3", "ws:room:1", "ws:room:2"}));
    QTRY_COMPARE(bus->numsub("ws:room:2"), 2);
    QCOMPARE(bus->numsub("ws:room:9"), 0);
    a.reset();
    QTRY_COMPARE(bus->channels("ws:room:*"), QStringList({"ws:room:2"}));
}

void tst_Broker::partitionCutsOneConnection()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(twoSubscribers(*bus, a, b));
    QSignalSpy receivedA(a.get(), &Broker::messageReceived);
    QSignalSpy receivedB(b.get(), &Broker::messageReceived);

    a->setLinkUp(false);
    QVERIFY(!a->isLinkUp());
    QCOMPARE(a->state(), Broker::State::Disconnected);
    QVERIFY(a->subscriptions().isEmpty());
    QTRY_COMPARE(bus->numsub("ch"), 1); // the server forgets a's subscription with its connection
    a->subscribe("ignored-while-cut");
    QCOMPARE(bus->publish("ch", "during"), 1);
    QTRY_COMPARE(receivedB.size(), 1);
    const auto stillCut = [&] { return receivedA.isEmpty() && a->state() == Broker::State::Disconnected; };
    QVERIFY2(Quiet::holdsFor(300, stillCut), "a cut link neither delivers nor reconnects until healed");

    a->setLinkUp(true);
    QVERIFY(BusFixture::waitConnected(a.get()));
    QVERIFY(a->subscriptions().isEmpty());
    QCOMPARE(bus->numsub("ch"), 1);
    QCOMPARE(bus->numsub("ignored-while-cut"), 0);
    QCOMPARE(a->stats().reconnects, 1u);
    QCOMPARE(b->state(), Broker::State::Connected);
    QCOMPARE(b->stats().reconnects, 0u);

    a->subscribe("ch");
    QTRY_COMPARE(bus->numsub("ch"), 2);
    QCOMPARE(bus->publish("ch", "after"), 2);
    QTRY_COMPARE(receivedA.size(), 1);
    QCOMPARE(receivedA.first().at(1).toByteArray(), QByteArray("after"));
}

void tst_Broker::publishWhileConnecting()
{
    QFETCH(int, capacity);
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> listener(bus->makeBroker(QStringLiteral("listener")));
    QVERIFY(BusFixture::waitConnected(listener.get()));
    listener->subscribe("ch");
    QTRY_COMPARE(bus->numsub("ch"), 1);
    QSignalSpy received(listener.get(), &Broker::messageReceived);

    std::unique_ptr<Broker> early(bus->makeBroker(QStringLiteral("early")));
    QCOMPARE(early->state(), Broker::State::Connecting);
    early->setOfflineQueueCapacity(capacity);
    qint64 reply = -2;
    early->publish("ch", "early", [&reply](qint64 receivers) { reply = receivers; });
    QCOMPARE(early->stats().publishesQueued, 1u);
    QCOMPARE(early->stats().published, 0u);
    QVERIFY(BusFixture::waitConnected(early.get()));

    if (capacity > 0) {
        QTRY_COMPARE(received.size(), 1);
        QCOMPARE(received.first().at(1).toByteArray(), QByteArray("early"));
        QTRY_COMPARE(reply, 1);
        QCOMPARE(early->stats().published, 1u);
        QCOMPARE(early->stats().publishesDropped, 0u);
    } else {
        QCOMPARE(reply, -1); // no room to park it: dropped at once
        QCOMPARE(early->stats().publishesDropped, 1u);
        QVERIFY(Quiet::nothingArrivesWithin(received, 300));
        QCOMPARE(early->stats().published, 0u);
    }
}

// SUBSCRIBE and PUBLISH go by different connections: a publish sent before the server confirmed
// the subscription may be handled first and never come back. It waits for the confirmation,
// unless there is no queue to wait in.
void tst_Broker::publishRightAfterSubscribingComesBack()
{
    QFETCH(int, capacity);
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    a->setOfflineQueueCapacity(capacity);
    QSignalSpy received(a.get(), &Broker::messageReceived);
    QList<qint64> replies;
    constexpr int Channels = 20;
    for (int i = 0; i < Channels; ++i) {
        const QByteArray channel = "fresh" + QByteArray::number(i);
        a->subscribe(channel);
        a->publish(channel, "first", [&replies](qint64 receivers) { replies.append(receivers); });
    }
    if (capacity > 0 && a->pendingSubscribes() > 0)
        QCOMPARE(a->stats().published, 0u);
    if (capacity > 0) {
        QTRY_COMPARE(received.size(), Channels);
        QTRY_COMPARE(replies, QList<qint64>(Channels, 1)); // a reply may come after its message
    } else {
        QTRY_COMPARE(replies.size(), Channels);
        QVERIFY(!replies.contains(-1));
    }
    QCOMPARE(a->stats().published, quint64(Channels));
    QCOMPARE(a->stats().publishesDropped, 0u);
}

void tst_Broker::historyOffsetsAreGapFree()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(twoSubscribers(*bus, a, b));
    QSignalSpy received(b.get(), &Broker::messageReceived);
    const auto positions = publishToHistory(*a, 5);
    QCOMPARE(positions.size(), 5u);
    QVERIFY(!positions.front().epoch.isEmpty());
    for (quint64 i = 0; i < 5; ++i)
        QCOMPARE(positions[i], (StreamPosition {i + 1, positions.front().epoch}));
    QTRY_COMPARE(received.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const auto envelope = fanout::Envelope::decode(received.at(i).at(1).toByteArray());
        QVERIFY(envelope);
        QCOMPARE(envelope->offset, quint64(i + 1));
        QCOMPARE(envelope->epoch, positions.front().epoch);
        QCOMPARE(envelope->payload, QByteArray::number(i + 1));
    }
}

void tst_Broker::resentHistoryPublishIsStoredOnce()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(twoSubscribers(*bus, a, b));
    QSignalSpy received(b.get(), &Broker::messageReceived);
    QCOMPARE(publishToHistory(*a, 3).back().offset, 3u);
    // The same (origin, id) again, as after a reply lost with the connection: its first place.
    QCOMPARE(publishToHistory(*a, 1, 3).front().offset, 3u);
    QCOMPARE(publishToHistory(*a, 1, 2).front().offset, 2u);
    QTRY_COMPARE(received.size(), 3);
    QVERIFY(Quiet::nothingArrivesWithin(received, 200));
    QCOMPARE(readHistory(*a, HistoryQuery::position()).top.offset, 3u);
}

void tst_Broker::historyReads()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    const HistoryRead empty = readHistory(*a, HistoryQuery::since(0, 10));
    QVERIFY(empty.ok);
    QCOMPARE(empty.top.offset, 0u);
    QVERIFY(empty.entries.empty());
    const auto positions = publishToHistory(*a, 10);
    QCOMPARE(offsetsOf(readHistory(*a, HistoryQuery::since(4, 3))), QList<quint64>({5, 6, 7}));
    QCOMPARE(offsetsOf(readHistory(*a, HistoryQuery::last(2))), QList<quint64>({9, 10}));
    QVERIFY(readHistory(*a, HistoryQuery::since(10, 5)).entries.empty());
    const HistoryRead top = readHistory(*a, HistoryQuery::position());
    QCOMPARE(top.top, (StreamPosition {10, positions.front().epoch}));
    QVERIFY(top.entries.empty());
    const HistoryRead some = readHistory(*a, HistoryQuery::since(0, 1));
    QCOMPARE(fanout::Envelope::decode(some.entries.front().message)->offset, 1u);
}

void tst_Broker::historyIsTrimmed()
{
    // Redis trims "MAXLEN ~ size" by whole stream nodes (100 entries by default): past a few
    // hundred messages the oldest are gone on both brokers.
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    QCOMPARE(publishToHistory(*a, 400, 1, 3).back().offset, 400u);
    const HistoryRead read = readHistory(*a, HistoryQuery::since(0, 1000));
    QCOMPARE(read.top.offset, 400u);
    QVERIFY(!read.entries.empty());
    QVERIFY2(read.entries.front().offset > 1, "the oldest entries are trimmed");
    QCOMPARE(read.entries.back().offset, 400u);
}

void tst_Broker::restartWithoutPersistenceChangesTheEpoch()
{
    QFETCH(QString, kind);
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    const StreamPosition before = publishToHistory(*a, 3).back();
    bus->takeDown();
    QTRY_VERIFY(a->state() != Broker::State::Connected);
    QVERIFY(bus->bringUp());
    QVERIFY(BusFixture::waitConnected(a.get(), 10000));
    const StreamPosition after = publishToHistory(*a, 1, 4).front();
    if (kind != QLatin1String("in-process")) {
        QCOMPARE(after.offset, 1u); // the history is gone: a new one starts
        QVERIFY(after.epoch != before.epoch);
    } else {
        QCOMPARE(after, (StreamPosition {4, before.epoch})); // one epoch per bus lifetime
    }
}

void tst_Broker::lostScriptsAreLoadedAgain()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a(bus->makeBroker(QStringLiteral("a")));
    QVERIFY(BusFixture::waitConnected(a.get()));
    QCOMPARE(publishToHistory(*a, 2).back().offset, 2u);
    bus->flushScripts(); // EVALSHA now meets NOSCRIPT
    QCOMPARE(publishToHistory(*a, 2, 3).back().offset, 4u);
    QCOMPARE(offsetsOf(readHistory(*a, HistoryQuery::since(2, 10))), QList<quint64>({3, 4}));
}

void tst_Broker::presenceCountsSubjectsOnce()
{
    using Kind = fanout::PresenceChange::Kind;
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a, b;
    QVERIFY(twoSubscribers(*bus, a, b));
    QSignalSpy events(b.get(), &Broker::messageReceived);
    // Two tabs of one user (whose name carries placeholders: they stay its name) and another user.
    const fanout::PresenceEntry tab1 {"c1", "$node", "$node", "n1", 1, 0};
    const fanout::PresenceEntry tab2 {"c2", "$node", "$node", "n2", 2, 0};
    const fanout::PresenceEntry other {"c3", "bob", "bob", "n1", 3, 0};
    QCOMPARE(changePresence(*a, presenceChange(Kind::Join, {tab1})), 1);
    QCOMPARE(changePresence(*a, presenceChange(Kind::Join, {tab2, other})), 3);
    QCOMPARE(changePresence(*a, presenceChange(Kind::Join, {tab1})), 3); // again: nothing new
    QTRY_COMPARE(events.size(), 2);
    QVERIFY(events.at(0).at(1).toByteArray().startsWith(R"({"joined":"$node","node":"n1","ts":)"));
    QVERIFY(events.at(1).at(1).toByteArray().startsWith(R"({"joined":"bob","node":"n1","ts":)"));
    QCOMPARE(presentConnections(*a), QStringList({"c1", "c2", "c3"}));

    QCOMPARE(changePresence(*a, presenceChange(Kind::Leave, {tab1})), 2);
    QVERIFY(Quiet::nothingArrivesWithin(events, 200)); // the user still has a tab
    QCOMPARE(changePresence(*a, presenceChange(Kind::Leave, {tab2, tab2})), 1);
    QTRY_COMPARE(events.size(), 3);
    QCOMPARE(events.at(2).at(1).toByteArray(), QByteArray(R"({"left":"$node","node":"n2"})"));
    QCOMPARE(changePresence(*a, presenceChange(Kind::Leave, {tab2})), 1); // gone already: no event
    QVERIFY(Quiet::nothingArrivesWithin(events, 200));
    QCOMPARE(presentConnections(*a), QStringList({"c3"}));
}

void tst_Broker::presenceSweepsExpiredAndRefreshRestores()
{
    using Kind = fanout::PresenceChange::Kind;
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a, b;
    QVERIFY(twoSubscribers(*bus, a, b));
    QSignalSpy events(b.get(), &Broker::messageReceived);
    const fanout::PresenceEntry dying {"c1", "ann", "ann", "dead", 1, 0};
    const fanout::PresenceEntry living {"c2", "bob", "bob", "alive", 2, 0};
    constexpr qint64 ShortTtl = 300;
    QCOMPARE(changePresence(*a, presenceChange(Kind::Join, {living})), 1);
    QCOMPARE(changePresence(*a, presenceChange(Kind::Join, {dying}, ShortTtl), ShortTtl), 2);
    const fanout::RedisReply keyTtl = bus->command({"PTTL", "{ch}:presence"});
    if (!keyTtl.isError())
        QVERIFY2(keyTtl.integer > 60000, "the short entry must not shorten the set the living one keeps");
    QTRY_COMPARE(events.size(), 2);
    // The dying entry's time passes: a refresh of someone else sweeps it, once.
    QTRY_COMPARE_WITH_TIMEOUT(presentConnections(*a), QStringList({"c2"}), 5000);
    QCOMPARE(changePresence(*a, presenceChange(Kind::Refresh, {living})), 1);
    QTRY_COMPARE(events.size(), 3);
    QCOMPARE(events.at(2).at(1).toByteArray(), QByteArray(R"({"left":"ann","node":"dead"})"));
    QCOMPARE(changePresence(*a, presenceChange(Kind::Refresh, {living})), 1);
    QVERIFY(Quiet::nothingArrivesWithin(events, 200));
    // An entry swept while its owner still lives comes back with the owner's next refresh.
    QCOMPARE(changePresence(*a, presenceChange(Kind::Refresh, {living, dying})), 2);
    QTRY_COMPARE(events.size(), 4);
    QVERIFY(events.at(3).at(1).toByteArray().startsWith(R"({"joined":"ann","node":"dead","ts":)"));
    QCOMPARE(presentConnections(*a), QStringList({"c1", "c2"}));
}

void tst_Broker::partitionLosesMessagesInFlight()
{
    fanout::InProcessBus bus;
    fanout::InProcessBroker a(&bus, QStringLiteral("a"));
    fanout::InProcessBroker b(&bus, QStringLiteral("b"));
    QVERIFY(BusFixture::waitConnected(&a));
    QVERIFY(BusFixture::waitConnected(&b));
    a.subscribe("ch");
    b.subscribe("ch");
    QSignalSpy receivedA(&a, &Broker::messageReceived);
    QCOMPARE(bus.publish("ch", "in flight"), 2); // queued towards both, delivered on a later turn
    a.setLinkUp(false);
    a.setLinkUp(true);
    QVERIFY(BusFixture::waitConnected(&a));
    QVERIFY(Quiet::nothingArrivesWithin(receivedA, 100));
    QStringList names;
    for (const fanout::InProcessBroker *client : bus.connectedClients())
        names.append(client->name());
    QCOMPARE(names, QStringList({"a", "b"}));
}

void tst_Broker::globMatchesLikeRedis_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("matches");
    QTest::addRow("star") << QByteArray("ws:room:*") << QByteArray("ws:room:42") << true;
    QTest::addRow("star empty") << QByteArray("ws:room:*") << QByteArray("ws:room:") << true;
    QTest::addRow("star other prefix") << QByteArray("ws:room:*") << QByteArray("chat:1") << false;
    QTest::addRow("question") << QByteArray("h?llo") << QByteArray("hello") << true;
    QTest::addRow("question needs one") << QByteArray("h?llo") << QByteArray("hllo") << false;
    QTest::addRow("class") << QByteArray("h[ae]llo") << QByteArray("hallo") << true;
    QTest::addRow("class miss") << QByteArray("h[ae]llo") << QByteArray("hillo") << false;
    QTest::addRow("negated class") << QByteArray("h[^e]llo") << QByteArray("hallo") << true;
    QTest::addRow("range") << QByteArray("r[0-9]") << QByteArray("r7") << true;
    QTest::addRow("escape") << QByteArray("a\\*b") << QByteArray("a*b") << true;
    QTest::addRow("escape literal only") << QByteArray("a\\*b") << QByteArray("axb") << false;
    QTest::addRow("inner star") << QByteArray("a*c*e") << QByteArray("abcde") << true;
    QTest::addRow("exact") << QByteArray("abc") << QByteArray("abcd") << false;
}

void tst_Broker::globMatchesLikeRedis()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, text);
    QFETCH(bool, matches);
    QCOMPARE(fanout::GlobPattern::matches(pattern, text), matches);
}

void tst_Broker::publishQueueDropsOldest()
{
    fanout::PublishQueue queue(2);
    QList<qint64> replies;
    for (int i = 0; i < 4; ++i)
        queue.push({"c", QByteArray::number(i), [&replies](qint64 n) { replies.append(n); }, std::nullopt});
    QCOMPARE(replies, QList<qint64>({-1, -1}));
    const auto kept = queue.takeAll();
    QCOMPARE(kept.size(), 2u);
    QCOMPARE(kept.front().message, QByteArray("2"));
    QCOMPARE(kept.back().message, QByteArray("3"));
    QCOMPARE(queue.size(), 0);

    fanout::PublishQueue byBytes(1000);
    const QByteArray big(fanout::PublishQueue::MaxBytes / 4 + 1, 'b');
    int dropped = 0;
    for (int i = 0; i < 5; ++i)
        dropped += byBytes.push({"c", big, {}, std::nullopt});
    QCOMPARE(dropped, 2); // only three such messages fit in MaxBytes
    QCOMPARE(byBytes.size(), 3);
}

QTEST_GUILESS_MAIN(tst_Broker)
#include "tst_broker.moc"
