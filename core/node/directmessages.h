#pragma once

#include <QByteArray>
#include <QString>

#include <QHash>
#include <QObject>

namespace fanout {

struct Envelope;
class Broker;
class RoomRegistry;
class Session;

/// Direct messages between users (docs/protocol.md, "Direct messages"). While a node holds a
/// connection of user U it is subscribed to `userPrefix + U`; a message to U is published
/// there, so every node holding U delivers it to each of U's connections once. The sender
/// learns from the PUBLISH reply how many nodes hold U (0: offline).
class DirectMessages : public QObject
{
    Q_OBJECT
public:
    static inline const QString DefaultUserPrefix = QStringLiteral("ws:user:");

    /// `users` is the node's index user -> its local sessions (a RoomRegistry keyed by user).
    DirectMessages(Broker *broker, const QString &nodeId, const QString &userPrefix, const RoomRegistry &users,
                   QObject *parent = nullptr);

    QByteArray channelFor(const QString &user) const { return m_prefix + user.toUtf8(); }
    bool isUserChannel(const QByteArray &channel) const { return channel.startsWith(m_prefix); }

    /// The node's first connection of `user` arrived, or its last one left.
    void userArrived(const QString &user);
    void userLeft(const QString &user);
    /// The broker is connected again: subscribes every local user's channel.
    void resubscribe();

    /// Sends `contentJson` (compact JSON) from `sender` (an authenticated session) to `to` as
    /// message `id` of this node; the sender gets direct_message_sent once the broker answers.
    void send(Session *sender, const QString &to, const QByteArray &contentJson, quint64 id);
    /// A message arrived on a user channel: each local connection of that user gets it.
    void received(const QByteArray &channel, const QByteArray &message);

    /// The session is gone: broker answers to its messages are dropped.
    void forget(Session *session);

signals:
    /// A direct message reached `sessions` local connections of its user.
    void delivered(const fanout::Envelope &envelope, quint64 sessions);

private:
    Broker *m_broker;
    QString m_nodeId;
    QByteArray m_prefix;
    const RoomRegistry &m_users;
    QHash<quint64, Session *> m_awaitingReply; ///< by message id
};

}
