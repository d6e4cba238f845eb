#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "node/node.h"
#include "nodeprocess.h"
#include "testclient.h"
#include "transport/nodeserver.h"
#include "websocket/framereader.h"
#include "websocket/framewriter.h"
#include "websocket/utf8validator.h"
#include "websocket/websockethandshake.h"
#include "wsclientrun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

using fanout::FrameReader;
using fanout::FrameWriter;
using fanout::WebSocketHandshake;
using Type = FrameReader::Event::Type;

namespace {

/// A client-to-server frame: masked (unless told not to), with explicit FIN and opcode.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool final = true, bool masked = true,
                       quint8 reserved = 0)
{
    QByteArray frame;
    frame.append(char((final ? 0x80 : 0) | reserved | opcode));
    const quint8 maskBit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        frame.append(char(maskBit | payload.size()));
    } else if (payload.size() <= 0xffff) {
        frame.append(char(maskBit | 126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xff));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    const QByteArray mask("\x12\x34\x56\x78", 4);
    if (!masked)
        return frame + payload;
    frame.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask.at(i & 3)));
    return frame;
}

QByteArray closePayload(int code, const QByteArray &reason = {})
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(quint16(code), payload.data());
    return payload + reason;
}

/// What a reader makes of bytes: "text:...", "binary:...", "ping:...", "pong:...",
/// "close:CODE:reason", "fail:CODE".
QStringList readAll(const QByteArray &bytes, quint64 limit, bool byteByByte)
{
    FrameReader reader(limit);
    std::vector<FrameReader::Event> events;
    if (byteByByte) {
        for (const char c : bytes)
            reader.feed(QByteArrayView(&c, 1), &events);
    } else {
        reader.feed(bytes, &events);
    }
    QStringList seen;
    for (const FrameReader::Event &event : events) {
        switch (event.type) {
        case Type::Text:
            seen.append("text:" + QString::fromUtf8(event.payload));
            break;
        case Type::Binary:
            seen.append("binary:" + QString::fromLatin1(event.payload.toHex()));
            break;
        case Type::Ping:
            seen.append("ping:" + QString::fromLatin1(event.payload));
            break;
        case Type::Pong:
            seen.append("pong:" + QString::fromLatin1(event.payload));
            break;
        case Type::Close:
            seen.append(QStringLiteral("close:%1:%2").arg(event.code).arg(event.reason));
            break;
        case Type::Fail:
            seen.append(QStringLiteral("fail:%1").arg(event.code));
            break;
        }
    }
    return seen;
}

/// A node on its own in-process bus behind a NodeServer, for one test.
struct Edge {
    fanout::InProcessBus bus;
    fanout::Node node {fanout::NodeConfig::named(QStringLiteral("edge")), new fanout::InProcessBroker(&bus, "edge")};
    fanout::NodeServer server {&node};

    /// Connects a raw TCP socket to the listening server.
    bool connect(QTcpSocket *socket) const
    {
        socket->connectToHost(QHostAddress::LocalHost, server.port());
        return socket->waitForConnected(5000);
    }
};

const QByteArray UpgradeRequest = "GET /rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\n\r\n";

}

/// RFC 6455 on our own edge: the frame reader and the handshake, case by case, and the same
/// cases on a raw socket against a real NodeServer (hand-made frames, what comes back, when the
/// connection closes), beside QWebSocket clients and the `ws` npm client against a fanout-node
/// process.
class tst_WebSocket : public QObject
{
    Q_OBJECT
private slots:
    void frames_data();
    void frames();
    void utf8_data();
    void utf8();
    void handshake_data();
    void handshake();
    void closeFrameReasonIsCut();
    void rawSocket_data();
    void rawSocket();
    void badUpgradeGets400();
    void qwebsocketClientsTalk();
    void batching();
    void batchingParameters_data();
    void batchingParameters();
    void wsClient_data();
    void wsClient();

private:
    /// The fanout-node of every ws client case, started by the first one.
    NodeProcess m_node;
};

void tst_WebSocket::frames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");
    const QByteArray hello = clientFrame(0x1, "hello");
    QTest::newRow("text") << hello << QStringList {"text:hello"};
    QTest::newRow("binary") << clientFrame(0x2, "\x01\x02") << QStringList {"binary:0102"};
    QTest::newRow("two frames") << hello + clientFrame(0x1, "again") << QStringList {"text:hello", "text:again"};
    QTest::newRow("unmasked") << clientFrame(0x1, "x", true, false) << QStringList {"fail:1002"};
    QTest::newRow("reserved bits") << clientFrame(0x1, "x", true, true, 0x40) << QStringList {"fail:1002"};
    QTest::newRow("unknown opcode") << clientFrame(0x3, "x") << QStringList {"fail:1002"};
    QTest::newRow("unknown control opcode") << clientFrame(0xb, "x") << QStringList {"fail:1002"};
    QTest::newRow("fragments") << clientFrame(0x1, "he", false) + clientFrame(0x0, "ll", false) + clientFrame(0x0, "o")
                               << QStringList {"text:hello"};
    QTest::newRow("ping between fragments") << clientFrame(0x1, "he", false) + clientFrame(0x9, "p")
            + clientFrame(0x0, "llo") << QStringList {"ping:p", "text:hello"};
    QTest::newRow("continuation without a message") << clientFrame(0x0, "x") << QStringList {"fail:1002"};
    QTest::newRow("new message inside one")
        << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << QStringList {"fail:1002"};
    QTest::newRow("fragmented ping") << clientFrame(0x9, "p", false) << QStringList {"fail:1002"};
    QTest::newRow("long ping") << clientFrame(0x9, QByteArray(126, 'p')) << QStringList {"fail:1002"};
    QTest::newRow("pong") << clientFrame(0xa, "q") << QStringList {"pong:q"};
    QTest::newRow("invalid utf-8") << clientFrame(0x1, "\xc3\x28") << QStringList {"fail:1007"};
    QTest::newRow("utf-8 split over fragments") << clientFrame(0x1, "\xe2\x82", false) + clientFrame(0x0, "\xac")
                                                << QStringList {QStringLiteral("text:\u20ac")};
    QTest::newRow("invalid utf-8 seen before the end")
        << clientFrame(0x1, "ok\xff", false) << QStringList {"fail:1007"};
    QTest::newRow("utf-8 cut at the end") << clientFrame(0x1, "\xe2\x82") << QStringList {"fail:1007"};
    QTest::newRow("too big") << clientFrame(0x1, QByteArray(1025, 'x')) << QStringList {"fail:1009"};
    QTest::newRow("too big over fragments")
        << clientFrame(0x1, QByteArray(600, 'x'), false) + clientFrame(0x0, QByteArray(600, 'x'))
        << QStringList {"fail:1009"};
    QTest::newRow("at the limit") << clientFrame(0x2, QByteArray(1024, 'x'))
                                  << QStringList {"binary:" + QString(QByteArray(1024, 'x').toHex())};
    QTest::newRow("close with code and reason")
        << clientFrame(0x8, closePayload(1000, "bye")) << QStringList {"close:1000:bye"};
    QTest::newRow("close without code") << clientFrame(0x8, {}) << QStringList {"close:1005:"};
    QTest::newRow("nothing after close") << clientFrame(0x8, {}) + hello << QStringList {"close:1005:"};
    QTest::newRow("close of one byte") << clientFrame(0x8, "\x03") << QStringList {"fail:1002"};
    QTest::newRow("close 1005") << clientFrame(0x8, closePayload(1005)) << QStringList {"fail:1002"};
    QTest::newRow("close 999") << clientFrame(0x8, closePayload(999)) << QStringList {"fail:1002"};
    QTest::newRow("close 5000") << clientFrame(0x8, closePayload(5000)) << QStringList {"fail:1002"};
    QTest::newRow("close 4001") << clientFrame(0x8, closePayload(4001)) << QStringList {"close:4001:"};
    QTest::newRow("close reason not utf-8")
        << clientFrame(0x8, closePayload(1000, "\xff")) << QStringList {"fail:1007"};
    QByteArray huge = clientFrame(0x2, "x");
    huge[1] = char(0x80 | 127);
    huge.insert(2, QByteArray("\x80\0\0\0\0\0\0\x01", 8));
    QTest::newRow("64-bit length with the top bit") << huge << QStringList {"fail:1002"};
    QTest::newRow("nothing after a failure") << clientFrame(0x1, "x", true, false) + hello << QStringList {"fail:1002"};
}

void tst_WebSocket::frames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    QCOMPARE(readAll(bytes, 1024, false), expected);
    // However the stream is cut, the same events.
    QCOMPARE(readAll(bytes, 1024, true), expected);
}

void tst_WebSocket::utf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ascii") << QByteArray("plain") << true;
    QTest::newRow("two bytes") << QByteArray("\xc3\xa9") << true;
    QTest::newRow("four bytes") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << true;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << false;
    QTest::newRow("overlong three bytes") << QByteArray("\xe0\x80\xaf") << false;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
    QTest::newRow("lone continuation") << QByteArray("\x80") << false;
    QTest::newRow("cut") << QByteArray("\xf0\x9f\x98") << false;
    QTest::newRow("0xff") << QByteArray("\xff") << false;
}

void tst_WebSocket::utf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(fanout::Utf8Validator::isValid(bytes), valid);
    QCOMPARE(QString::fromUtf8(bytes).toUtf8() == bytes, valid);
}

void tst_WebSocket::handshake_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status"); // 101, 400, or 0 for "incomplete"
    QTest::addColumn<QString>("path");
    QTest::newRow("valid") << UpgradeRequest << 101 << "/rooms";
    QTest::newRow("query without a path")
        << QByteArray(UpgradeRequest).replace("GET /rooms", "GET ?room=r") << 101 << "";
    QTest::newRow("tokens in any case") << QByteArray(UpgradeRequest)
                                               .replace("Upgrade: websocket", "upgrade: WebSocket")
                                               .replace("Connection: Upgrade", "Connection: keep-alive, Upgrade")
                                        << 101 << "/rooms";
    QTest::newRow("incomplete") << UpgradeRequest.left(40) << 0 << "";
    QTest::newRow("POST") << QByteArray(UpgradeRequest).replace("GET", "POST") << 400 << "";
    QTest::newRow("HTTP/1.0") << QByteArray(UpgradeRequest).replace("HTTP/1.1", "HTTP/1.0") << 400 << "";
    QTest::newRow("no upgrade") << QByteArray(UpgradeRequest).replace("Upgrade: websocket\r\n", "") << 400 << "";
    QTest::newRow("no host") << QByteArray(UpgradeRequest).replace("Host: 127.0.0.1\r\n", "") << 400 << "";
    QTest::newRow("version 8") << QByteArray(UpgradeRequest).replace("Version: 13", "Version: 8") << 400 << "";
    QTest::newRow("short key") << QByteArray(UpgradeRequest).replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=") << 400
                               << "";
    QTest::newRow("too long") << "GET / HTTP/1.1\r\nX: " + QByteArray(9000, 'x') << 400 << "";
}

void tst_WebSocket::handshake()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, path);
    const WebSocketHandshake::Result result = WebSocketHandshake::read(request);
    using Status = WebSocketHandshake::Result::Status;
    if (status == 0) {
        QCOMPARE(result.status, Status::Incomplete);
        return;
    }
    if (status == 400) {
        QCOMPARE(result.status, Status::Bad);
        QVERIFY(result.response.startsWith("HTTP/1.1 400 Bad Request\r\n"));
        if (request.contains("Version: 8"))
            QVERIFY(result.response.contains("Sec-WebSocket-Version: 13\r\n"));
        return;
    }
    QCOMPARE(result.status, Status::Ready);
    QCOMPARE(result.length, request.size());
    QCOMPARE(result.request.target.path(), path);
    // The example of RFC 6455, section 1.3.
    QVERIFY(
        WebSocketHandshake::accept(result.request.key).contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_WebSocket::closeFrameReasonIsCut()
{
    // 123 bytes of reason at most, and never half a character.
    const QByteArray frame = FrameWriter::close(1000, QString(100, QChar(0x20ac)));
    QCOMPARE(quint8(frame.at(0)), quint8(0x88));
    const int length = frame.at(1);
    QVERIFY(length <= 125);
    QVERIFY(fanout::Utf8Validator::isValid(frame.mid(4)));
    QCOMPARE(frame.mid(4).size() % 3, 0);
}

void tst_WebSocket::rawSocket_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<QByteArray>("answer"); ///< the server's frames, the welcome frame left out
    QTest::addColumn<bool>("closes");
    QTest::newRow("ping") << clientFrame(0x9, "are you there") << FrameWriter::pong("are you there") << false;
    QTest::newRow("close 1000") << clientFrame(0x8, closePayload(1000, "bye")) << FrameWriter::close(1000, {}) << true;
    QTest::newRow("close without code") << clientFrame(0x8, {}) << FrameWriter::frame(FrameWriter::Close, {}) << true;
    QTest::newRow("unmasked") << clientFrame(0x1, "x", true, false)
                              << FrameWriter::close(1002, QStringLiteral("client frames must be masked")) << true;
    QTest::newRow("invalid utf-8") << clientFrame(0x1, "\xc3\x28")
                                   << FrameWriter::close(1007, QStringLiteral("text is not UTF-8")) << true;
    QTest::newRow("too big") << clientFrame(0x1, QByteArray(70 * 1024, 'x'))
                             << FrameWriter::close(1009, QStringLiteral("message too big")) << true;
    QTest::newRow("fragmented ping") << clientFrame(0x9, "p", false)
                                     << FrameWriter::close(
                                            1002, QStringLiteral("control frames must be final and at most 125 bytes"))
                                     << true;
}

void tst_WebSocket::rawSocket()
{
    QFETCH(QByteArray, frames);
    QFETCH(QByteArray, answer);
    QFETCH(bool, closes);
    Edge edge;
    QVERIFY(edge.server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket socket;
    QVERIFY(edge.connect(&socket));
    socket.write(UpgradeRequest);
    QByteArray received;
    const auto readAvailable = [&] {
        received += socket.readAll();
        return received;
    };
    QTRY_VERIFY(readAvailable().contains("\r\n\r\n"));
    QVERIFY(received.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    received.remove(0, received.indexOf("\r\n\r\n") + 4);
    // The typed protocol greets first: a text frame, skipped.
    QTRY_VERIFY(readAvailable().size() >= 2 && received.size() >= 2 + quint8(received.at(1)));
    received.remove(0, 2 + quint8(received.at(1)));
    QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
    socket.write(frames);
    QTRY_COMPARE(readAvailable(), answer);
    if (closes)
        QTRY_COMPARE(disconnected.size(), 1);
    else
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void tst_WebSocket::badUpgradeGets400()
{
    Edge edge;
    QVERIFY(edge.server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket socket;
    QVERIFY(edge.connect(&socket));
    QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
    socket.write(QByteArray(UpgradeRequest).replace("Version: 13", "Version: 7"));
    QTRY_COMPARE(disconnected.size(), 1);
    const QByteArray response = socket.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response.constData());
    QVERIFY(response.contains("Sec-WebSocket-Version: 13\r\n"));
    QCOMPARE(edge.server.sessionCount(), 0);
}

void tst_WebSocket::qwebsocketClientsTalk()
{
    // Large messages both ways (a 64-bit length from the server), and the close handshake.
    Edge edge;
    auto &server = edge.server;
    server.setMaxMessageBytes(1 << 20);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QUrl url = server.url();
    url.setQuery(QStringLiteral("room=big"));
    TestClient a;
    TestClient b;
    QVERIFY(a.open(url));
    QVERIFY(b.open(url));
    QTRY_COMPARE(server.sessionCount(), 2);
    const QString big = QLatin1Char('"') + QString(300000, QLatin1Char('x')) + QLatin1Char('"');
    a.send(big);
    QTRY_COMPARE(b.messages(), QStringList {big});
    QSignalSpy closed(&server, &fanout::NodeServer::sessionClosed);
    b.close();
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(server.sessionCount(), 1);
}

void tst_WebSocket::batching()
{
    // Ten messages: batches of four, four and the last two after the delay; the same frames,
    // in the same order, as an unbatched member gets. Frames of the protocol itself (the answer
    // to a join) send what is held first. The delay is long enough that "held" is still held
    // when the join comes.
    Edge edge;
    auto &server = edge.server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QUrl plainUrl = server.url();
    plainUrl.setPath(QStringLiteral("/rooms"));
    QUrl batchedUrl = plainUrl;
    batchedUrl.setQuery(QStringLiteral("batch=4&delay_ms=1000"));
    TestClient sender;
    TestClient plain;
    TestClient batched;
    for (TestClient *client : {&sender, &plain, &batched}) {
        QVERIFY(client->open(client == &batched ? batchedUrl : plainUrl));
        client->send(QStringLiteral(R"({"type":"join","room":"r"})"));
        QTRY_COMPARE(client->ofType(QStringLiteral("joined")).size(), 1);
    }
    // Every member hears each join after its own, its own included; the batched one in a batch.
    QTRY_COMPARE(sender.ofType(QStringLiteral("user_joined")).size(), 3);
    QTRY_COMPARE(plain.ofType(QStringLiteral("user_joined")).size(), 2);
    QTRY_COMPARE(batched.ofType(QStringLiteral("batch")).size(), 1);
    plain.clear();
    batched.clear();
    for (int i = 0; i < 10; ++i)
        sender.send(QStringLiteral(R"({"type":"message","room":"r","content":%1})").arg(i));
    QTRY_COMPARE(plain.ofType(QStringLiteral("message")).size(), 10);
    QTRY_COMPARE_WITH_TIMEOUT(batched.ofType(QStringLiteral("batch")).size(), 3, 5000);
    QList<qsizetype> sizes;
    QStringList unbatched;
    for (const QJsonObject &batch : batched.ofType(QStringLiteral("batch"))) {
        sizes.append(batch.value("messages").toArray().size());
        for (const QJsonValue &message : batch.value("messages").toArray())
            unbatched.append(QString::fromUtf8(QJsonDocument(message.toObject()).toJson(QJsonDocument::Compact)));
    }
    QStringList expected;
    for (const QString &frame : plain.messages())
        expected.append(QString::fromUtf8(QJsonDocument::fromJson(frame.toUtf8()).toJson(QJsonDocument::Compact)));
    QCOMPARE(sizes, QList<qsizetype>({4, 4, 2}));
    QCOMPARE(unbatched, expected);

    sender.send(QStringLiteral(R"({"type":"message","room":"r","content":"held"})"));
    QTRY_COMPARE(plain.ofType(QStringLiteral("message")).size(), 11);
    batched.send(QStringLiteral(R"({"type":"join","room":"other"})"));
    QTRY_COMPARE(batched.ofType(QStringLiteral("joined")).size(), 1);
    const QStringList frames = batched.messages();
    QVERIFY2(frames.at(frames.size() - 2).contains(QLatin1String("held")), qPrintable(frames.join('\n')));
}

void tst_WebSocket::batchingParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("refusal"); // empty: upgraded
    QTest::newRow("both") << "batch=16&delay_ms=10" << QByteArray();
    QTest::newRow("batch alone") << "batch=16" << QByteArray();
    QTest::newRow("batch 0") << "batch=0" << QByteArray("batch must be a whole number from 1 to 1000");
    QTest::newRow("batch word") << "batch=many" << QByteArray("batch must be a whole number from 1 to 1000");
    QTest::newRow("delay too long") << "batch=2&delay_ms=5000"
                                    << QByteArray("delay_ms must be a whole number from 0 to 1000");
    QTest::newRow("delay alone") << "delay_ms=10" << QByteArray("delay_ms goes with batch");
}

void tst_WebSocket::batchingParameters()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, refusal);
    Edge edge;
    QVERIFY(edge.server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket socket;
    QVERIFY(edge.connect(&socket));
    socket.write(QByteArray(UpgradeRequest).replace("GET /rooms ", "GET /rooms?" + query.toLatin1() + ' '));
    QByteArray received;
    QTRY_VERIFY((received += socket.readAll()).contains("\r\n\r\n"));
    if (refusal.isEmpty()) {
        QVERIFY(received.startsWith("HTTP/1.1 101 "));
        return;
    }
    QVERIFY(received.startsWith("HTTP/1.1 400 "));
    QTRY_VERIFY((received += socket.readAll()).contains(refusal));
}

void tst_WebSocket::wsClient_data()
{
    // The row's name is the case of tests/wsclient/conformance.mjs; the JSON is the line it must
    // print. <a>, <b>, <room> and <ts> stand for session ids, the case's room and timestamps.
    QTest::addColumn<QByteArray>("expected");
    const QByteArray value = R"("{\"n\":[1,2.5,0],\"none\":null,\"text\":\"hi\"}")";
    QTest::newRow("room-echo") << R"({"sender":[)" + value + R"(,"\"end\""],"member":[)" + value + R"(,"\"end\""]})";
    QTest::newRow("compact-json") << QByteArray(R"({"differences":[]})");
    QTest::newRow("json-key-order") << QByteArray(R"({"differences":[]})");
    QTest::newRow("json-number-forms") << QByteArray(R"({"differences":[]})");
    const QByteArray message = R"({"type":"message","room":"<room>","from":"<a>",)"
                               R"("content":{"list":[1,"two"],"text":"hi"},"ts":"<ts>"})";
    const QByteArray joinedA = R"({"type":"user_joined","room":"<room>","user":"<a>","ts":"<ts>"})";
    const QByteArray joinedB = R"({"type":"user_joined","room":"<room>","user":"<b>","ts":"<ts>"})";
    const QByteArray joined = R"({"type":"joined","room":"<room>"})";
    const auto frames = [](const QByteArrayList &list) { return '[' + list.join(',') + ']'; };
    QTest::newRow("typed") << R"({"a":)"
            + frames({R"({"type":"welcome","session":"<a>","node":"wsnode"})", joined, joinedA, joinedB, message})
            + R"(,"b":)" + frames({R"({"type":"welcome","session":"<b>","node":"wsnode"})", joined, joinedB, message})
            + '}';
    QTest::newRow("modes-share-rooms") << QByteArray(
        R"({"plain":["{\"from\":\"room mode\"}","\"from typed mode\""],)"
        R"("typedContent":{"from":"room mode"},"typedFromIsASession":true})");
    QTest::newRow("typed-errors") << QByteArray(R"({"errors":["invalid_json","not_an_object","unknown_type",)"
                                                R"("not_joined","invalid_room","binary_not_supported"],)"
                                                R"("joinedAfter":true})");
    QTest::newRow("room-errors") << QByteArray(R"({"sender":["invalid_json","invalid_json","binary_not_supported",)"
                                               R"("\"after\""],"member":["\"after\""]})");
    QTest::newRow("invalid-room") << QByteArray(
        R"({"long":{"code":1008,"reason":"the room name is longer than 256 characters"},)"
        R"("control":{"code":1008,"reason":"the room name contains a control character"},"opened":true})");
    QTest::newRow("slow-consumer") << QByteArray(R"({"slow":{"code":1008,"reason":"too slow: send queue full"},)"
                                                 R"("slowGotFewer":true,"senderOpen":true})");
    QTest::newRow("ping") << QByteArray(R"({"pongs":["are you there","","<125 bytes>"],"frames":[],"open":true})");
    QTest::newRow("fragmented") << QByteArray(R"({"framesBeforeTheLast":0,"pongs":["between"],)"
                                              R"("frames":["{\"parts\":[\"one\",\"two\"]}"]})");
    QTest::newRow("utf8-across-fragments") << QByteArray(R"({"frames":["\"\u20ac\""]})");
    QTest::newRow("close-4000") << QByteArray(R"({"close":{"code":4000,"reason":""}})");
    QTest::newRow("close-1000") << QByteArray(R"({"close":{"code":1000,"reason":""}})");
    QTest::newRow("close-without-code") << QByteArray(R"({"close":{"code":1005,"reason":""}})");
    QTest::newRow("at-the-limit") << QByteArray(R"({"bytes":65536,"same":true})");
    const QByteArray tooBig = R"({"close":{"code":1009,"reason":"message too big"},"frames":[]})";
    QTest::newRow("too-big") << tooBig;
    QTest::newRow("too-big-fragmented") << tooBig;
    QTest::newRow("invalid-utf8") << QByteArray(R"({"close":{"code":1007,"reason":"text is not UTF-8"},"frames":[]})");
    QTest::newRow("permessage-deflate") << QByteArray(R"({"extensionsHeader":null,"extensions":"","same":true})");
    QTest::newRow("subprotocol") << QByteArray(
        R"({"protocolHeader":null,"error":"Server sent no subprotocol","protocolWithout":""})");
    QTest::newRow("version-8") << QByteArray(R"({"status":400,"version":"13","opened":false})");
    QTest::newRow("batch-refused") << QByteArray(
        R"({"status":400,"body":"batch must be a whole number from 1 to 1000"})");
}

void tst_WebSocket::wsClient()
{
    QFETCH(QByteArray, expected);
    // One node for all rows: each case keeps to rooms of its own, and the rows stay quick.
    if (m_node.url().isEmpty()) {
        m_node.keepStderr();
        QVERIFY2(m_node.start({"--host", "127.0.0.1", "--port", "0", "--node-id", "wsnode"}),
                 qPrintable(m_node.errorString()));
    }
    QVERIFY2(m_node.process().state() == QProcess::Running,
             qPrintable("the node of the ws cases is gone: " + m_node.process().readAllStandardError()));
    WsClientRun run;
    QVERIFY2(run.run(m_node.url(), QString::fromLatin1(QTest::currentDataTag())), qPrintable(run.errorString()));
    QJsonParseError error;
    const QJsonDocument want = QJsonDocument::fromJson(expected, &error);
    QVERIFY2(want.isObject(), qPrintable(error.errorString()));
    QCOMPARE(QString::fromUtf8(QJsonDocument(run.observed()).toJson(QJsonDocument::Compact)),
             QString::fromUtf8(want.toJson(QJsonDocument::Compact)));
}

QTEST_GUILESS_MAIN(tst_WebSocket)
#include "tst_websocket.moc"
