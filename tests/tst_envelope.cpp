#include "envelope/envelope.h"
#include "envelope/jsontext.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using fanout::Envelope;
using fanout::JsonText;

class tst_Envelope : public QObject
{
    Q_OBJECT
private slots:
    void encodeIsSeedFormat();
    void roundTrip();
    void decodesForeignEnvelopes_data();
    void decodesForeignEnvelopes();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void parseAnyJsonValue_data();
    void parseAnyJsonValue();
    void quoteEscapes();
};

void tst_Envelope::encodeIsSeedFormat()
{
    Envelope envelope;
    envelope.origin = QStringLiteral("node-1");
    envelope.room = QStringLiteral("42");
    envelope.payload = R"({"text":"hi"})";
    envelope.ts = 1700000000000;
    const QJsonObject object = QJsonDocument::fromJson(envelope.encode()).object();
    QCOMPARE(object.keys(), QStringList({"origin", "payload", "room", "ts"}));
    QCOMPARE(object.value("origin").toString(), QStringLiteral("node-1"));
    QCOMPARE(object.value("room").toString(), QStringLiteral("42"));
    QCOMPARE(object.value("payload").toObject().value("text").toString(), QStringLiteral("hi"));
    QCOMPARE(qint64(object.value("ts").toDouble()), envelope.ts);
}

void tst_Envelope::roundTrip()
{
    Envelope envelope;
    envelope.origin = QStringLiteral("n \"quoted\"\n");
    envelope.room = QStringLiteral("chambre é");
    envelope.payload = "[1,\"two\",null]";
    envelope.ts = 12345;
    envelope.id = 99;
    envelope.kind = Envelope::Kind::Event;
    envelope.from = QStringLiteral("n/7");
    const auto decoded = Envelope::decode(envelope.encode());
    QVERIFY(decoded);
    QCOMPARE(decoded->origin, envelope.origin);
    QCOMPARE(decoded->room, envelope.room);
    QCOMPARE(decoded->payload, envelope.payload);
    QCOMPARE(decoded->ts, envelope.ts);
    QCOMPARE(decoded->id, envelope.id);
    QCOMPARE(decoded->kind, envelope.kind);
    QCOMPARE(decoded->from, envelope.from);
}

void tst_Envelope::decodesForeignEnvelopes_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("payload");
    QTest::addRow("redis-cli ping, payload only")
        << QByteArray(R"({"payload":{"type":"ping"}})") << QByteArray(R"({"type":"ping"})");
    QTest::addRow("seed node, four fields")
        << QByteArray(R"({"origin":"ref-1","room":"lobby","payload":"hello","ts":1})") << QByteArray(R"("hello")");
    QTest::addRow("scalar payload") << QByteArray(R"({"payload":42})") << QByteArray("42");
    QTest::addRow("null payload") << QByteArray(R"({"payload":null})") << QByteArray("null");
    QTest::addRow("spaces are compacted") << QByteArray(R"({ "payload" : [ 1 , 2 ] })") << QByteArray("[1,2]");
    QTest::addRow("nested, compact") << QByteArray(R"({"payload":{"a":[1,{"b":null}],"c":"x,}"},"ts":5})")
                                     << QByteArray(R"({"a":[1,{"b":null}],"c":"x,}"})");
    QTest::addRow("escapes in payload") << QByteArray(R"({"payload":"tab\tquote\"\u00e9"})")
                                        << QByteArray(R"("tab\tquote\"\u00e9")");
    QTest::addRow("numbers") << QByteArray(R"({"payload":[-1.5e3,0,0.25]})") << QByteArray("[-1.5e3,0,0.25]");
}

void tst_Envelope::decodesForeignEnvelopes()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, payload);
    const auto decoded = Envelope::decode(raw);
    QVERIFY(decoded);
    QCOMPARE(decoded->payload, payload);
    QCOMPARE(decoded->kind, Envelope::Kind::Message);
}

void tst_Envelope::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("reason");
    QTest::addRow("not json") << QByteArray("hello") << QStringLiteral("not JSON");
    QTest::addRow("array") << QByteArray("[1]") << QStringLiteral("not a JSON object");
    QTest::addRow("no payload") << QByteArray(R"({"origin":"x"})") << QStringLiteral("no \"payload\"");
    QTest::addRow("empty") << QByteArray() << QStringLiteral("not JSON");
    QTest::addRow("bad literal in payload") << QByteArray(R"({"payload":tru})") << QStringLiteral("not JSON");
    QTest::addRow("leading zero") << QByteArray(R"({"payload":01})") << QStringLiteral("not JSON");
    QTest::addRow("trailing comma") << QByteArray(R"({"payload":[1,]})") << QStringLiteral("not JSON");
    QTest::addRow("trailing garbage") << QByteArray(R"({"payload":1}x)") << QStringLiteral("not JSON");
    QTest::addRow("invalid utf-8 in payload") << QByteArray("{\"payload\":\"\xff\"}") << QStringLiteral("not JSON");
    QTest::addRow("unterminated string") << QByteArray(R"({"payload":"abc})") << QStringLiteral("not JSON");
}

void tst_Envelope::rejectsMalformed()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, reason);
    QString error;
    QVERIFY(!Envelope::decode(raw, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void tst_Envelope::parseAnyJsonValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("compact");
    QTest::addRow("object") << QByteArray(R"( {"a" : 1} )") << true << QByteArray(R"({"a":1})");
    QTest::addRow("string") << QByteArray(R"("x")") << true << QByteArray(R"("x")");
    QTest::addRow("number") << QByteArray("3.5") << true << QByteArray("3.5");
    QTest::addRow("true") << QByteArray("true") << true << QByteArray("true");
    QTest::addRow("two values") << QByteArray("1,2") << false << QByteArray();
    QTest::addRow("array breakout") << QByteArray("1],[2") << false << QByteArray();
    QTest::addRow("garbage") << QByteArray("{oops") << false << QByteArray();
    QTest::addRow("empty") << QByteArray("") << false << QByteArray();
}

void tst_Envelope::parseAnyJsonValue()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(QByteArray, compact);
    QString error;
    const auto value = JsonText::parse(text, &error);
    QCOMPARE(bool(value), valid);
    if (valid)
        QCOMPARE(JsonText::compact(*value), compact);
    else
        QVERIFY(!error.isEmpty());
}

void tst_Envelope::quoteEscapes()
{
    const QString tricky = QStringLiteral("a\"b\\c\nd\te\x01 é");
    const QByteArray quoted = JsonText::quote(tricky);
    const auto parsed = JsonText::parse(quoted);
    QVERIFY(parsed);
    QCOMPARE(parsed->toString(), tricky);
}

QTEST_GUILESS_MAIN(tst_Envelope)
#include "tst_envelope.moc"
