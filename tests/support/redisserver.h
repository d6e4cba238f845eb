#pragma once

#include "redis/redisurl.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>

/// A real redis-server on a free loopback port, owned by one test. A missing redis-server is
/// an error with a message, never a skip.
class RedisServer
{
public:
    RedisServer() = default;
    ~RedisServer();

    /// Starts on `port` (0 picks a free one) with extra redis-server arguments; false with
    /// errorString() on failure.
    bool start(quint16 port = 0, const QStringList &extraArguments = {});
    /// Starts with TLS alone: no plaintext port (--port 0) and TLS on a free one, configured by
    /// tlsArguments (--tls-cert-file, --tls-auth-clients, ...); url() is then rediss:// without
    /// TLS settings and cli() does not reach it.
    bool startTls(const QStringList &tlsArguments);
    /// Starts `redis-server FILE --sentinel` on a free port, FILE holding configLines (such as
    /// "sentinel monitor m 127.0.0.1 6379 2") in a temporary folder of its own, where Sentinel
    /// rewrites it. With tlsArguments, TLS alone on that port, as startTls().
    bool startSentinel(const QStringList &configLines, const QStringList &tlsArguments = {});
    /// Stops the server (SIGTERM, then SIGKILL) and keeps the port for a later start(port()).
    void stop();
    /// Kills the server at once (SIGKILL), as a crash would; start(port()) brings it back.
    void kill();
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    quint16 port() const { return m_port; }
    fanout::RedisUrl url() const;
    QString urlString() const;
    QString errorString() const { return m_error; }

    /// Runs redis-cli against this server; returns its stdout.
    QString cli(const QStringList &arguments) const;

private:
    bool launch(const QStringList &portArguments, const QStringList &extraArguments,
                const std::function<bool()> &isReady);

    QProcess m_process;
    quint16 m_port = 0;
    bool m_tls = false;
    QString m_error;
    std::unique_ptr<QTemporaryDir> m_configDir; ///< a sentinel's
};
