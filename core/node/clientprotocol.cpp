#include "clientprotocol.h"

#include "envelope/jsonstringify.h"
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

ClientProtocol::ClientProtocol(Node &node) : m_node(node), m_auth(node.tokenSecret())
{
    m_clock.start();
    QObject::connect(&m_auth, &SessionAuth::authenticated, &m_auth,
                     [this](Session *session) { m_node.authenticate(session); });
}

void ClientProtocol::opened(Session *session, const QString &room, const QByteArray &token)
{
    m_node.attach(session);
    if (session->protocol() == SessionProtocol::Room) {
        if (!m_auth.opened(session, token))
            return;
        m_homeRooms.insert(session, room);
        m_node.join(session, room);
        return;
    }
    session->sendText("{\"type\":\"welcome\",\"session\":" + JsonText::quote(session->id())
                      + ",\"node\":" + JsonText::quote(m_node.id()) + '}');
    m_auth.opened(session, token);
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
    reject(session, QStringLiteral("binary_not_supported"), QStringLiteral("send JSON in text frames"));
}

void ClientProtocol::closed(Session *session)
{
    m_auth.closed(session);
    m_homeRooms.remove(session);
    m_limiter.forget(session);
    const QStringList rooms = m_node.detach(session);
    if (session->protocol() == SessionProtocol::Typed) {
        for (const QString &room : rooms)
            publishEvent(session, room, "user_left");
    }
}

void ClientProtocol::roomModeText(Session *session, const QByteArray &frame)
{
    if (!m_homeRooms.contains(session))
        return; // refused at open (a bad token), closing: nothing it sends counts
    QString error;
    const std::optional<QByteArray> payload = JsonStringify::value(frame, &error);
    if (!payload) {
        reject(session, QStringLiteral("invalid_json"), error);
        return;
    }
    if (mayPublish(session))
        m_node.publish(m_homeRooms.value(session), *payload, Envelope::Kind::Message, session->sender());
}

void ClientProtocol::typedModeText(Session *session, const QByteArray &frame)
{
    QString error;
    const std::optional<QJsonValue> value = JsonText::parse(frame, &error);
    if (!value) {
        reject(session, QStringLiteral("invalid_json"), error);
        return;
    }
    if (!value->isObject()) {
        reject(session, QStringLiteral("not_an_object"),
               QStringLiteral("a typed frame is a JSON object with a \"type\""));
        return;
    }
    const QJsonObject object = value->toObject();
    const QString type = object.value(QLatin1String("type")).toString();
    if (type == QLatin1String("auth")) {
        m_auth.authFrame(session, object);
        return;
    }
    if (!m_auth.mayProceed(session)) {
        reject(session, QStringLiteral("auth_required"), QStringLiteral("authenticate first"));
        return;
    }
    if (userFrame(session, type, object, frame))
        return;
    const std::optional<QString> checked = roomOf(session, type, object);
    if (!checked)
        return;
    const QString &room = *checked;
    if (type == QLatin1String("join")) {
        if (const std::optional<HistoryRequest> request = historyRequest(session, object))
            join(session, room, *request);
    } else if (type == QLatin1String("leave")) {
        leave(session, room);
    } else if (type == QLatin1String("presence")) {
        presence(session, room);
    } else {
        message(session, room, object, frame);
    }
}

bool ClientProtocol::userFrame(Session *session, const QString &type, const QJsonObject &object,
                               const QByteArray &frame)
{
    if (type == QLatin1String("direct_message"))
        directMessage(session, object, frame);
    else if (type == QLatin1String("get_online_users"))
        m_node.sendOnlineUsers(session);
    else if (type == QLatin1String("watch_presence"))
        m_node.watchPresence(session);
    else
        return false;
    return true;
}

std::optional<ClientProtocol::HistoryRequest> ClientProtocol::historyRequest(Session *session,
                                                                             const QJsonObject &object)
{
    const auto fail = [this, session](const QString &message) -> std::optional<HistoryRequest> {
        reject(session, QStringLiteral("invalid_history"), message);
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

std::optional<QString> ClientProtocol::roomOf(Session *session, const QString &type, const QJsonObject &object)
{
    static const QStringList roomTypes {"join", "leave", "message", "presence"};
    if (!roomTypes.contains(type)) {
        reject(session, QStringLiteral("unknown_type"),
               QStringLiteral("\"type\" must be auth, join, leave, message, presence, "
                              "direct_message, get_online_users or watch_presence"));
        return std::nullopt;
    }
    const QJsonValue roomValue = object.value(QLatin1String("room"));
    if (!roomValue.isString()) {
        reject(session, QStringLiteral("invalid_room"), QStringLiteral("\"room\" must be a string"));
        return std::nullopt;
    }
    const QString room = roomValue.toString();
    QString error;
    if (!Node::isValidRoom(room, &error)) {
        reject(session, QStringLiteral("invalid_room"), error);
        return std::nullopt;
    }
    return room;
}

void ClientProtocol::join(Session *session, const QString &room, const HistoryRequest &request)
{
    if (!m_node.isMember(session, room) && m_node.roomCountOf(session) >= MaxRoomsPerSession) {
        reject(session, QStringLiteral("too_many_rooms"),
               QStringLiteral("a connection may be in at most %1 rooms").arg(MaxRoomsPerSession));
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
        reject(session, QStringLiteral("not_joined"), QStringLiteral("not a member of \"%1\"").arg(room));
        return;
    }
    session->sendText(ackFrame("left", room));
    publishEvent(session, room, "user_left");
}

void ClientProtocol::message(Session *session, const QString &room, const QJsonObject &object, const QByteArray &frame)
{
    if (!m_node.isMember(session, room)) {
        reject(session, QStringLiteral("not_joined"), QStringLiteral("join \"%1\" before sending to it").arg(room));
        return;
    }
    const auto content = object.constFind(QLatin1String("content"));
    if (content == object.constEnd()) {
        reject(session, QStringLiteral("missing_content"), QStringLiteral("a message needs \"content\""));
        return;
    }
    if (!mayPublish(session))
        return;
    if (const std::optional<QByteArray> text = contentOf(session, frame))
        m_node.publish(room, *text, Envelope::Kind::Message, session->sender());
}

void ClientProtocol::presence(Session *session, const QString &room)
{
    if (!m_node.isMember(session, room)) {
        reject(session, QStringLiteral("not_joined"), QStringLiteral("join \"%1\" to see who is in it").arg(room));
        return;
    }
    m_node.sendPresence(session, room);
}

void ClientProtocol::directMessage(Session *session, const QJsonObject &object, const QByteArray &frame)
{
    if (session->user().isEmpty()) {
        reject(session, QStringLiteral("auth_required"), QStringLiteral("authenticate before sending direct messages"));
        return;
    }
    const QJsonValue to = object.value(QLatin1String("to"));
    if (!to.isString() || !TokenVerifier::isValidUser(to.toString())) {
        reject(session, QStringLiteral("invalid_user"),
               QStringLiteral("\"to\" must be a user id: 1 to %1 printable ASCII characters")
                   .arg(TokenVerifier::MaxUserLength));
        return;
    }
    const auto content = object.constFind(QLatin1String("content"));
    if (content == object.constEnd()) {
        reject(session, QStringLiteral("missing_content"), QStringLiteral("a message needs \"content\""));
        return;
    }
    if (!mayPublish(session))
        return;
    if (const std::optional<QByteArray> text = contentOf(session, frame))
        m_node.sendDirectMessage(session, to.toString(), *text);
}

void ClientProtocol::reject(Session *session, const QString &code, const QString &message)
{
    ++m_rejected[code];
    session->sendText(errorFrame(code, message));
}

bool ClientProtocol::mayPublish(Session *session)
{
    switch (m_limiter.take(session, m_clock.elapsed())) {
    case PublishRateLimiter::Verdict::Allowed:
        return true;
    case PublishRateLimiter::Verdict::Limited:
        reject(session, QStringLiteral("rate_limited"),
               QStringLiteral("more than %1 messages per second: not published").arg(m_limiter.rate()));
        return false;
    case PublishRateLimiter::Verdict::Flooding:
        ++m_rejected[QStringLiteral("rate_limited")];
        ++m_floodCloses;
        session->close(FloodCloseCode, QStringLiteral("publishing too fast"));
        return false;
    }
    return false;
}

std::optional<QByteArray> ClientProtocol::contentOf(Session *session, const QByteArray &frame)
{
    QString error;
    std::optional<QByteArray> content = JsonStringify::member(frame, "content", &error);
    if (!content)
        reject(session, QStringLiteral("invalid_json"), error);
    return content;
}

void ClientProtocol::publishEvent(Session *session, const QString &room, const char *type)
{
    const QByteArray event = "{\"type\":\"" + QByteArray(type) + "\",\"room\":" + JsonText::quote(room)
        + ",\"user\":" + JsonText::quote(session->sender())
        + ",\"ts\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '}';
    m_node.publish(room, event, Envelope::Kind::Event, session->sender());
}

}
