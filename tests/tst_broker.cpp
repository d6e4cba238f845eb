#include "broker/globpattern.h"
#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "broker/publishqueue.h"
#include "busfixture.h"
#include "quiet.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using fanout::Broker;

namespace {

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

}

/// The Broker contract's pub/sub, run against every broker (tst_brokerstorage has its history
/// and presence).
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
    void partitionLosesMessagesInFlight();
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
    QVERIFY(bus->twoSubscribers(a, b));

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
    QVERIFY(BusFixture::waitConnected(a.get(), 10000)); // a backoff step, then a cluster's slots and masters
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
    QVERIFY(bus->twoSubscribers(a, b));
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
