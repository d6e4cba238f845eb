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

/// What the Broker contract keeps in the server, run against every broker: a room's history
/// (Streams on Redis) and its presence set.
class tst_BrokerStorage : public QObject
{
    Q_OBJECT
private slots:
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
    void presenceCountsSubjectsOnce_data() { BusFixture::addBrokerKindRows(); }
    void presenceCountsSubjectsOnce();
    void presenceSweepsExpiredAndRefreshRestores_data() { BusFixture::addBrokerKindRows(); }
    void presenceSweepsExpiredAndRefreshRestores();
};

void tst_BrokerStorage::historyOffsetsAreGapFree()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(bus->twoSubscribers(a, b));
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

void tst_BrokerStorage::resentHistoryPublishIsStoredOnce()
{
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a;
    std::unique_ptr<Broker> b;
    QVERIFY(bus->twoSubscribers(a, b));
    QSignalSpy received(b.get(), &Broker::messageReceived);
    QCOMPARE(publishToHistory(*a, 3).back().offset, 3u);
    // The same (origin, id) again, as after a reply lost with the connection: its first place.
    QCOMPARE(publishToHistory(*a, 1, 3).front().offset, 3u);
    QCOMPARE(publishToHistory(*a, 1, 2).front().offset, 2u);
    QTRY_COMPARE(received.size(), 3);
    QVERIFY(Quiet::nothingArrivesWithin(received, 200));
    QCOMPARE(readHistory(*a, HistoryQuery::position()).top.offset, 3u);
}

void tst_BrokerStorage::historyReads()
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

void tst_BrokerStorage::historyIsTrimmed()
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

void tst_BrokerStorage::restartWithoutPersistenceChangesTheEpoch()
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

void tst_BrokerStorage::lostScriptsAreLoadedAgain()
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

void tst_BrokerStorage::presenceCountsSubjectsOnce()
{
    using Kind = fanout::PresenceChange::Kind;
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a, b;
    QVERIFY(bus->twoSubscribers(a, b));
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

void tst_BrokerStorage::presenceSweepsExpiredAndRefreshRestores()
{
    using Kind = fanout::PresenceChange::Kind;
    auto bus = BusFixture::createForCurrentRow();
    QVERIFY(bus);
    std::unique_ptr<Broker> a, b;
    QVERIFY(bus->twoSubscribers(a, b));
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

QTEST_GUILESS_MAIN(tst_BrokerStorage)
#include "tst_brokerstorage.moc"
