#include "directmessages.h"

#include "broker/broker.h"
#include "delivery.h"
#include "envelope/envelope.h"
#include "envelope/jsontext.h"
#include "logging.h"
#include "registry/roomregistry.h"
#include "session/session.h"

#include <QDateTime>

namespace fanout {

DirectMessages::DirectMessages(Broker *broker, const QString &nodeId, const QString &userPrefix,
                               const RoomRegistry &users, QObject *parent)
    : QObject(parent), m_broker(broker), m_nodeId(nodeId), m_prefix(userPrefix.toUtf8()), m_users(users)
{ }

void DirectMessages::userArrived(const QString &user)
{
    m_broker->subscribe(channelFor(user));
}

void DirectMessages::userLeft(const QString &user)
{
    m_broker->unsubscribe(channelFor(user));
}

void DirectMessages::resubscribe()
{
    for (const QString &user : m_users.rooms())
        m_broker->subscribe(channelFor(user));
}

void DirectMessages::send(Session *sender, const QString &to, const QByteArray &contentJson, quint64 id)
{
    Envelope envelope;
    envelope.origin = m_nodeId;
    envelope.room = to;
    envelope.payload = contentJson;
    envelope.ts = QDateTime::currentMSecsSinceEpoch();
    envelope.id = id;
    envelope.kind = Envelope::Kind::Direct;
    envelope.from = sender->user();
    m_awaitingReply.insert(envelope.id, sender);
    m_broker->publish(channelFor(to), envelope.encode(), [this, id = envelope.id, to](qint64 receivers) {
        Session *sender = m_awaitingReply.take(id);
        if (!sender)
            return;
        if (receivers < 0) {
            sender->sendText(
                R"({"type":"error","code":"unavailable","message":"the direct message could not be published"})");
            return;
        }
        sender->sendText(R"({"type":"direct_message_sent","to":)" + JsonText::quote(to) + R"(,"nodes":)"
                         + QByteArray::number(receivers) + '}');
    });
}

void DirectMessages::forget(Session *session)
{
    m_awaitingReply.removeIf([session](const auto &entry) { return entry.value() == session; });
}

void DirectMessages::received(const QByteArray &channel, const QByteArray &message)
{
    const QString user = QString::fromUtf8(channel.mid(m_prefix.size()));
    const QSet<Session *> *sessions = m_users.members(user);
    if (!sessions)
        return;
    QString error;
    std::optional<Envelope> envelope = Envelope::decode(message, &error);
    if (!envelope) {
        qCWarning(lcNode).noquote() << "ignored a direct message on" << channel << ":" << error;
        return;
    }
    envelope->kind = Envelope::Kind::Direct; // whatever a foreign publisher wrote
    const Delivery delivery(user, *envelope);
    quint64 count = 0;
    for (Session *session : *sessions) {
        if (delivery.isFor(session->protocol())) {
            session->deliver(delivery);
            ++count;
        }
    }
    emit delivered(*envelope, count);
}

}
