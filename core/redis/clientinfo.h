#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace fanout {

/// One connection as CLIENT LIST shows it.
struct ClientInfo {
    qint64 id = 0;
    QString address;
    QString name;
    qint64 ageSeconds = 0;
    qint64 idleSeconds = 0;
    QString flags;
    int db = 0;
    qint64 subscriptions = 0; ///< sub=
    qint64 patternSubscriptions = 0; ///< psub=
    qint64 shardSubscriptions = 0; ///< ssub= (Redis 7)
    qint64 outputMemory = 0; ///< omem=, bytes queued towards the client
    QString lastCommand;

    bool isSubscriber() const { return subscriptions + patternSubscriptions + shardSubscriptions > 0; }
    /// Parses the whole CLIENT LIST reply; unknown fields are ignored.
    static QList<ClientInfo> parseList(const QByteArray &text);
};

}
