#include "benchframes.h"

namespace {

QString stringField(QStringView text, QStringView key)
{
    const qsizetype at = text.indexOf(key);
    if (at < 0)
        return {};
    const qsizetype start = at + key.size();
    const qsizetype end = text.indexOf(u'"', start);
    return end < 0 ? QString() : text.sliced(start, end - start).toString();
}

void readPayload(QStringView text, BenchFrames::Incoming *incoming)
{
    incoming->sender = BenchFrames::integerField(text, u"\"s\":");
    incoming->sequence = BenchFrames::integerField(text, u"\"q\":");
    incoming->sentAt = BenchFrames::integerField(text, u"\"t\":");
    const bool complete = incoming->sender >= 0 && incoming->sequence >= 0 && incoming->sentAt >= 0;
    incoming->kind = complete ? BenchFrames::Incoming::Kind::Payload : BenchFrames::Incoming::Kind::Malformed;
}

BenchFrames::Position position(QStringView text)
{
    return {BenchFrames::integerField(text, u"\"offset\":"), stringField(text, u"\"epoch\":\"")};
}

}

QUrl BenchFrames::url(QUrl node, Protocol protocol, const QString &room)
{
    if (protocol == Protocol::Typed) {
        node.setPath(QStringLiteral("/rooms"));
        node.setQuery(QString());
    } else {
        node.setPath(QStringLiteral("/"));
        node.setQuery(QStringLiteral("room=%1").arg(room));
    }
    return node;
}

QString BenchFrames::join(const QString &room, const Position &since)
{
    if (since.offset < 0)
        return QStringLiteral("{\"type\":\"join\",\"room\":\"%1\"}").arg(room);
    return QStringLiteral("{\"type\":\"join\",\"room\":\"%1\",\"since\":{\"offset\":%2,\"epoch\":\"%3\"}}")
        .arg(room)
        .arg(since.offset)
        .arg(since.epoch);
}

QString BenchFrames::payload(int sender, quint32 sequence, qint64 sentAtNs, const QString &padding)
{
    return QStringLiteral("{\"s\":%1,\"q\":%2,\"t\":%3,\"p\":\"%4\"}")
        .arg(sender)
        .arg(sequence)
        .arg(sentAtNs)
        .arg(padding);
}

QString BenchFrames::publish(Protocol protocol, const QString &room, const QString &payload)
{
    if (protocol == Protocol::Room)
        return payload;
    return QStringLiteral("{\"type\":\"message\",\"room\":\"%1\",\"content\":%2}").arg(room, payload);
}

BenchFrames::Incoming BenchFrames::read(Protocol protocol, QStringView text)
{
    Incoming incoming;
    if (protocol == Protocol::Room) {
        readPayload(text, &incoming);
        return incoming;
    }
    // Typed frames start with their type (the node writes it first).
    if (text.startsWith(u"{\"type\":\"message\"")) {
        readPayload(text, &incoming);
        incoming.position = position(text);
    } else if (text.startsWith(u"{\"type\":\"joined\"")) {
        incoming.kind = Incoming::Kind::Joined;
        incoming.recovered = text.contains(u"\"recovered\":true");
        incoming.position = position(text);
    } else if (text.startsWith(u"{\"type\":\"error\"")) {
        incoming.kind = Incoming::Kind::Malformed;
    } else {
        incoming.kind = Incoming::Kind::Other;
    }
    return incoming;
}

qint64 BenchFrames::integerField(QStringView text, QStringView key)
{
    const qsizetype at = text.indexOf(key);
    if (at < 0)
        return -1;
    qint64 value = 0;
    qsizetype i = at + key.size();
    const qsizetype start = i;
    while (i < text.size() && text[i].isDigit())
        value = value * 10 + (text[i++].unicode() - '0');
    return i == start ? -1 : value;
}
