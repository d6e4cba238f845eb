// What a client's socket may carry, on the path a WebSocket connection takes: the bytes go
// through FrameReader (RFC 6455) and its text frames into ClientProtocol, on a Node with an
// in-process broker. The first byte picks the set-up, the rest is the stream from the client:
//   bit 0: typed mode (otherwise room mode, in room "fuzz")
//   bit 1: the node verifies tokens (secret FuzzSecret)
//   bit 2: the client presents a valid token for user "fuzzer" on its URL
//   bit 3: rooms keep a history
// Beyond crashes it checks two promises: the reader yields the same events fed whole or byte by
// byte, and everything the node sends the client is JSON (JsonStringify accepts it).

#include "broker/inprocessbroker.h"
#include "broker/inprocessbus.h"
#include "envelope/jsonstringify.h"
#include "node/clientprotocol.h"
#include "node/delivery.h"
#include "node/node.h"
#include "node/tokenverifier.h"
#include "session/session.h"
#include "websocket/framereader.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace fanout;

namespace {

constexpr quint64 MaxMessageBytes = 64 * 1024; // NodeServer::DefaultMaxMessageBytes
const QByteArray FuzzSecret = "fuzz-secret";

void requireJson(const QByteArray &frame, const char *what)
{
    if (!JsonStringify::value(frame)) {
        std::fprintf(stderr, "the node sent a %s that is not JSON: %s\n", what, frame.constData());
        std::abort();
    }
}

/// Keeps nothing, but checks every frame the node hands it.
class CheckingSession : public Session
{
public:
    using Session::Session;

    void deliver(const Delivery &delivery) override
    {
        if (delivery.isFor(protocol()))
            requireJson(delivery.frame(protocol()), "delivery");
    }
    void sendText(const QByteArray &frame) override { requireJson(frame, "frame"); }
    void close(int, const QString &) override { closed = true; }

    bool closed = false;
};

bool sameEvents(const std::vector<FrameReader::Event> &a, const std::vector<FrameReader::Event> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].payload != b[i].payload || a[i].code != b[i].code)
            return false;
    }
    return true;
}

std::vector<FrameReader::Event> readFrames(QByteArrayView stream)
{
    std::vector<FrameReader::Event> whole;
    FrameReader(MaxMessageBytes).feed(stream, &whole);
    std::vector<FrameReader::Event> byByte;
    FrameReader reader(MaxMessageBytes);
    for (qsizetype i = 0; i < stream.size(); ++i)
        reader.feed(stream.sliced(i, 1), &byByte);
    if (!sameEvents(whole, byByte)) {
        std::fprintf(stderr, "FrameReader: %zu events fed whole, %zu fed byte by byte\n", whole.size(), byByte.size());
        std::abort();
    }
    return whole;
}

void settle()
{
    // The broker delivers on later turns of the event loop, a history read one turn later.
    for (int turn = 0; turn < 4; ++turn)
        QCoreApplication::processEvents();
}

}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
    static QCoreApplication application(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const quint8 setUp = data[0];
    const bool typed = setUp & 1;
    const std::vector<FrameReader::Event> events
        = readFrames(QByteArrayView(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1));

    NodeConfig config = NodeConfig::named(QStringLiteral("fuzz"));
    if (setUp & 2)
        config.tokenSecret = FuzzSecret;
    if (setUp & 8)
        config.history.size = 100;
    InProcessBus bus;
    Node node(config, new InProcessBroker(&bus, QStringLiteral("fuzz")));
    ClientProtocol protocol(node);
    CheckingSession session(QStringLiteral("fuzz/1"), typed ? SessionProtocol::Typed : SessionProtocol::Room);
    settle();
    const QByteArray token
        = setUp & 4 ? TokenVerifier::sign(FuzzSecret, QJsonObject {{"sub", QStringLiteral("fuzzer")}}) : QByteArray();
    protocol.opened(&session, typed ? QString() : QStringLiteral("fuzz"), token);
    for (const FrameReader::Event &event : events) {
        if (session.closed)
            break;
        if (event.type == FrameReader::Event::Type::Text)
            protocol.textReceived(&session, event.payload);
        else if (event.type == FrameReader::Event::Type::Binary)
            protocol.binaryReceived(&session);
        settle();
    }
    protocol.closed(&session);
    settle();
    return 0;
}
