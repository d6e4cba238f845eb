#pragma once

#include "redisconsole.h"

namespace fanout {

class RedisConnection;

/// The console of a real Redis, on a command connection it is given (and does not own).
/// Read-only until writes are allowed explicitly: a production Redis must not meet FLUSHALL
/// or CONFIG SET typed by accident.
class RedisServerConsole : public RedisConsole
{
    Q_OBJECT
public:
    RedisServerConsole(RedisConnection *connection, const QString &target, QObject *parent = nullptr);

    QString target() const override { return m_target; }

protected:
    bool send(const QList<QByteArray> &args, ReplyHandler handler) override;

private:
    RedisConnection *m_connection;
    QString m_target;
};

}
