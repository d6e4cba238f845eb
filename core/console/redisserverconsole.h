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
    /// The connection to talk to from now on: an inspector of a Cluster moves its console to the
    /// next seed node when the one it had stops answering.
    void setConnection(RedisConnection *connection) { m_connection = connection; }

protected:
    bool send(const QList<QByteArray> &args, ReplyHandler handler) override;

private:
    RedisConnection *m_connection;
    QString m_target;
};

}
