#pragma once

#include "redisconsole.h"

namespace fanout {

class InProcessBus;

/// The console of the in-process bus: answers PING, PUBLISH, PUBSUB CHANNELS/NUMSUB/NUMPAT and
/// CLIENT LIST from the bus as Redis would; other commands get Redis's unknown-command error.
/// Writes are allowed: the bus is the simulation's own.
class InProcessConsole : public RedisConsole
{
    Q_OBJECT
public:
    explicit InProcessConsole(InProcessBus *bus, QObject *parent = nullptr);

    QString target() const override { return QStringLiteral("in-process"); }

protected:
    bool send(const QList<QByteArray> &args, ReplyHandler handler) override;

private:
    /// The reply the bus gives to a command's words.
    RedisReply reply(const QList<QByteArray> &args) const;
    RedisReply pubsub(const QList<QByteArray> &args) const;
    RedisReply clientList() const;

    InProcessBus *m_bus;
};

}
