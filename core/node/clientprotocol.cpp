#include "clientprotocol.h"

#include "envelope/jsontext.h"
#include "node.h"
#include "session/session.h"

#include <QDateTime>

#include <cmath>

namespace fanout {

namespace {

QByteArray ackFrame(const char *type, const QString &room)
{
    return "{\"type\":\"" + QByteArray(type) + "\",\"room\":" + JsonText::quote(room) + '}';
}

}

QByteArray ClientProtocol::errorFrame(const QString &code, const QString &message)
{
    return "{\"type\":\"error\",\"code\":" + JsonText::quote(code) + ",\"message\":" + JsonText::quote(message) + '}';
}

bool ClientProtocol::isErrorFrame(QByteArrayView frame)
{
    return frame.startsWith(R"({"type":"error")");
}

void ClientProtocol::opened(Session *session, const QString &room)
{
    m_node.attach(session);
    if (session->protocol() == SessionProtocol::Room) {
        m_homeRooms.insert(session, room);
        m_node.join(session, room);
        return;
    }
    session->sendText("{\"type\":\"welcome\",\"session\":" + JsonText::quote(session->id())
                      + ",\"node\":" + JsonText::quote(m_node.id()) + '}');
}

void ClientProtocol::textReceived(Session *session, const QByteArray &frame)
{
    if (session->protocol() == SessionProtocol::Room)
        roomModeText(session, frame);
    else
        typedModeText(session, frame);
}

void ClientProtocol::binaryReceived(Session *session)
{
    session->sendText(errorFrame(QStringLiteral("binary_not_supported"), QStringLiteral("send JSON in text frames")));
}

void ClientProtocol::closed(Session *session)
{
    m_homeRooms.remove(session);
    const QStringList rooms = m_node.detach(session);
    if (session->protocol() == SessionProtocol::Typed) {
        for (const QString &room : rooms)
            publishEvent(session, room, "user_left");
    }
}

void ClientProtocol::roomModeText(Session *session, const QByteArray &frame)
{
    QString error;
    const std::optional<QJsonValue> payload = JsonText::parse(frame, &error);
    if (!payload) {
        session->sendText(errorFrame(QStringLiteral("invalid_json"), error));
        return;
    }
    m_node.publish(m_homeRooms.value(session), JsonText::compact(*payload), Envelope::Kind::Message, session->id());
}

void ClientProtocol::typedModeText(Session *session, const QByteArray &frame)
{
    QString error;
    const std::optional<QJsonValue> value = JsonText::parse(frame, &error);
    if (!value) {
        session->sendText(errorFrame(QStringLiteral("invalid_json"), error));
        return;
    }
    if (!value->isObject()) {
        session->sendText(errorFrame(QStringLiteral("not_an_object"),
                                     QStringLiteral("a typed frame is a JSON object with a \"type\"")));
        return;
    }
    const QJsonObject object = value->toObject();
    const auto checked = typeAndRoom(session, object);
    if (!checked)
        return;
    const auto &[type, room] = *checked;
    if (type == QLatin1String("join")) {
        if (const std::optional<HistoryRequest> request = historyRequest(session, object))
            join(session, room, *request);
    } else if (type == QLatin1String("leave")) {
        leave(session, room);
    } else {
        message(session, room, object);
    }
}

std::optional<ClientProtocol::HistoryRequest> ClientProtocol::historyRequest(Session *session,
                                                                             const QJsonObject &object)
{
    const auto fail = [session](const QString &message) -> std::optional<HistoryRequest> {
        session->sendText(errorFrame(QStringLiteral("invalid_history"), message));
        return std::nullopt;
    };
    // Integers only, exactly: JSON numbers are doubles, and 2^53 is where they stop being exact.
    const auto wholeNumber = [](const QJsonValue &value, qint64 max) -> std::optional<qint64> {
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || number > double(max) || number != std::floor(number))
            return std::nullopt;
        return qint64(number);
    };
    HistoryRequest request;
    const QJsonValue latest = object.value(QLatin1String("history"));
    const QJsonValue since = object.value(QLatin1String("since"));
    if (!latest.isUndefined() && !since.isUndefined())
        return fail(QStringLiteral("ask for \"history\" or \"since\", not both"));
    if (!latest.isUndefined()) {
        const std::optional<qint64> count = wholeNumber(latest, MaxHistoryRequest);
        if (!count)
            return fail(QStringLiteral("\"history\" must be a whole number from 0 to %1").arg(MaxHistoryRequest));
        request.latest = qsizetype(*count);
    }
    if (!since.isUndefined()) {
        const QJsonObject position = since.toObject();
        const std::optional<qint64> offset = wholeNumber(position.value(QLatin1String("offset")), 9007199254740991);
        const QJsonValue epoch = position.value(QLatin1String("epoch"));
        if (!since.isObject() || !offset || !epoch.isString() || position.size() != 2)
            return fail(QStringLiteral("\"since\" must be {\"offset\": a whole number, \"epoch\": a string}"));
        request.since = StreamPosition {quint64(*offset), epoch.toString()};
    }
    return request;
}

std::optional<std::pair<QString, QString>> ClientProtocol::typeAndRoom(Session *session, const QJsonObject &object)
{
    const QString type = object.value(QLatin1String("type")).toString();
    if (type != QLatin1String("join") && type != QLatin1String("leave") && type != QLatin1String("message")) {
        session->sendText(
            errorFrame(QStringLiteral("unknown_type"), QStringLiteral("\"type\" must be join, leave or message")));
        return std::nullopt;
    }
    const QJsonValue roomValue = object.value(QLatin1String("room"));
    if (!roomValue.isString()) {
        session->sendText(errorFrame(QStringLiteral("invalid_room"), QStringLiteral("\"room\" must be a string")));
        return std::nullopt;
    }
    const QString room = roomValue.toString();
    QString error;
    if (!Node::isValidRoom(room, &error)) {
        session->sendText(errorFrame(QStringLiteral("invalid_room"), error));
        return std::nullopt;
    }
    return std::make_pair(type, room);
}

void ClientProtocol::join(Session *session, const QString &room, const HistoryRequest &request)
{
    if (!m_node.isMember(session, room) && m_node.roomCountOf(session) >= MaxRoomsPerSession) {
        session->sendText(
            errorFrame(QStringLiteral("too_many_rooms"),
                       QStringLiteral("a connection may be in at most %1 rooms").arg(MaxRoomsPerSession)));
        return;
    }
    const bool joined = m_node.join(session, room);
    if (request.since)
        m_node.recover(session, room, *request.since); // its joined frame says what was recovered
    else
        session->sendText(ackFrame("joined", room));
    if (request.latest)
        m_node.sendLatest(session, room, *request.latest);
    if (joined)
        publishEvent(session, room, "user_joined");
}

void ClientProtocol::leave(Session *session, const QString &room)
{
    if (!m_node.leave(session, room)) {
        session->sendText(errorFrame(QStringLiteral("not_joined"), QStringLiteral("not a member of \"%1\"").arg(room)));
        return;
    }
    session->sendText(ackFrame("left", room));
    publishEvent(session, room, "user_left");
}

void ClientProtocol::message(Session *session, const QString &room, const QJsonObject &object)
{
    if (!m_node.isMember(session, room)) {
        session->sendText(
            errorFrame(QStringLiteral("not_joined"), QStringLiteral("join \"%1\" before sending to it").arg(room)));
        return;
    }
    const auto content = object.constFind(QLatin1String("content"));
    if (content == object.constEnd()) {
        session->sendText(errorFrame(QStringLiteral("missing_content"), QStringLiteral("a message needs \"content\"")));
        return;
    }
    m_node.publish(room, JsonText::compact(content.value()), Envelope::Kind::Message, session->id());
}

void ClientProtocol::publishEvent(Session *session, const QString &room, const char *type)
{
    const QByteArray event = "{\"type\":\"" + QByteArray(type) + "\",\"room\":" + JsonText::quote(room) + ",\"user\":"
        + JsonText::quote(session->id()) + ",\"ts\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '}';
    m_node.publish(room, event, Envelope::Kind::Event, session->id());
}

}
