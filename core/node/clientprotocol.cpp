#include "clientprotocol.h"

#include "envelope/jsontext.h"
#include "node.h"
#include "session/session.h"

#include <QDateTime>
#include <QJsonObject>

namespace fanout {

namespace {

QString text(const QByteArray &utf8)
{
    return QString::fromUtf8(utf8);
}

QString ackFrame(const char *type, const QString &room)
{
    return text("{\"type\":\"" + QByteArray(type) + "\",\"room\":" + JsonText::quote(room) + '}');
}

}

QString ClientProtocol::errorFrame(const QString &code, const QString &message)
{
    return text("{\"type\":\"error\",\"code\":" + JsonText::quote(code)
                + ",\"message\":" + JsonText::quote(message) + '}');
}

void ClientProtocol::opened(Session *session, const QString &room)
{
    m_node.attach(session);
    if (session->protocol() == SessionProtocol::Room) {
        m_homeRooms.insert(session, room);
        m_node.join(session, room);
        return;
    }
    session->sendText(text("{\"type\":\"welcome\",\"session\":" + JsonText::quote(session->id())
                           + ",\"node\":" + JsonText::quote(m_node.id()) + '}'));
}

void ClientProtocol::textReceived(Session *session, const QString &text)
{
    if (session->protocol() == SessionProtocol::Room)
        roomModeText(session, text);
    else
        typedModeText(session, text);
}

void ClientProtocol::binaryReceived(Session *session)
{
    session->sendText(errorFrame(QStringLiteral("binary_not_supported"),
                                 QStringLiteral("send JSON in text frames")));
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

void ClientProtocol::roomModeText(Session *session, const QString &frame)
{
    QString error;
    const std::optional<QJsonValue> payload = JsonText::parse(frame.toUtf8(), &error);
    if (!payload) {
        session->sendText(errorFrame(QStringLiteral("invalid_json"), error));
        return;
    }
    m_node.publish(m_homeRooms.value(session), JsonText::compact(*payload),
                   Envelope::Kind::Message, session->id());
}

void ClientProtocol::typedModeText(Session *session, const QString &frame)
{
    QString error;
    const std::optional<QJsonValue> value = JsonText::parse(frame.toUtf8(), &error);
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
    const QString type = object.value(QLatin1String("type")).toString();
    if (type != QLatin1String("join") && type != QLatin1String("leave")
        && type != QLatin1String("message")) {
        session->sendText(errorFrame(QStringLiteral("unknown_type"),
                                     QStringLiteral("\"type\" must be join, leave or message")));
        return;
    }
    const QJsonValue roomValue = object.value(QLatin1String("room"));
    if (!roomValue.isString()) {
        session->sendText(errorFrame(QStringLiteral("invalid_room"),
                                     QStringLiteral("\"room\" must be a string")));
        return;
    }
    const QString room = roomValue.toString();
    if (!Node::isValidRoom(room, &error)) {
        session->sendText(errorFrame(QStringLiteral("invalid_room"), error));
        return;
    }

    if (type == QLatin1String("join")) {
        if (!m_node.isMember(session, room) && m_node.roomCountOf(session) >= MaxRoomsPerSession) {
            session->sendText(errorFrame(QStringLiteral("too_many_rooms"),
                                         QStringLiteral("a connection may be in at most %1 rooms").arg(MaxRoomsPerSession)));
            return;
        }
        const bool joined = m_node.join(session, room);
        session->sendText(ackFrame("joined", room));
        if (joined)
            publishEvent(session, room, "user_joined");
        return;
    }
    if (type == QLatin1String("leave")) {
        if (!m_node.leave(session, room)) {
            session->sendText(errorFrame(QStringLiteral("not_joined"),
                                         QStringLiteral("not a member of \"%1\"").arg(room)));
            return;
        }
        session->sendText(ackFrame("left", room));
        publishEvent(session, room, "user_left");
        return;
    }
    if (!m_node.isMember(session, room)) {
        session->sendText(errorFrame(QStringLiteral("not_joined"),
                                     QStringLiteral("join \"%1\" before sending to it").arg(room)));
        return;
    }
    if (!object.contains(QLatin1String("content"))) {
        session->sendText(errorFrame(QStringLiteral("missing_content"),
                                     QStringLiteral("a message needs \"content\"")));
        return;
    }
    m_node.publish(room, JsonText::compact(object.value(QLatin1String("content"))),
                   Envelope::Kind::Message, session->id());
}

void ClientProtocol::publishEvent(Session *session, const QString &room, const char *type)
{
    const QByteArray event = "{\"type\":\"" + QByteArray(type) + "\",\"room\":" + JsonText::quote(room)
            + ",\"user\":" + JsonText::quote(session->id())
            + ",\"ts\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '}';
    m_node.publish(room, event, Envelope::Kind::Event, session->id());
}

}
