#include "redisserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool answers(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(200))
        return false;
    socket.write("PING\r\n");
    if (!socket.waitForReadyRead(500))
        return false;
    const QByteArray reply = socket.readAll();
    return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
}

}

RedisServer::~RedisServer()
{
    stop();
}

bool RedisServer::start(quint16 port, const QStringList &extraArguments)
{
    m_port = port != 0 ? port : freePort();
    m_tls = false;
    return launch({QStringLiteral("--port"), QString::number(m_port)}, extraArguments,
                  [this] { return answers(m_port); });
}

bool RedisServer::startTls(const QStringList &tlsArguments)
{
    m_port = freePort();
    m_tls = true;
    // Without a plaintext port there is nothing to PING in clear: redis-server says when it is ready.
    return launch(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls-port"), QString::number(m_port)},
        tlsArguments, [this] { return m_process.peek(1 << 20).contains("Ready to accept connections"); });
}

bool RedisServer::startSentinel(const QStringList &configLines, const QStringList &tlsArguments)
{
    m_configDir = std::make_unique<QTemporaryDir>();
    const QString path = m_configDir->filePath(QStringLiteral("sentinel.conf"));
    QFile config(path);
    if (!m_configDir->isValid() || !config.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write the sentinel configuration %1").arg(path);
        return false;
    }
    config.write(configLines.join(QLatin1Char('\n')).toUtf8() + '\n');
    config.close();
    m_port = freePort();
    m_tls = !tlsArguments.isEmpty();
    const QStringList arguments {path, QStringLiteral("--sentinel"), QStringLiteral("--dir"), m_configDir->path()};
    if (!m_tls) {
        return launch(arguments + QStringList {QStringLiteral("--port"), QString::number(m_port)}, {},
                      [this] { return answers(m_port); });
    }
    return launch(arguments
                      + QStringList {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls-port"),
                                     QString::number(m_port)},
                  tlsArguments, [this] { return m_process.peek(1 << 20).contains("Sentinel ID is"); });
}

bool RedisServer::launch(const QStringList &portArguments, const QStringList &extraArguments,
                         const std::function<bool()> &isReady)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        m_error = QStringLiteral("redis-server is not on PATH: install the Debian package "
                                 "redis-server (scripts/test.sh does)");
        return false;
    }
    const QStringList arguments = portArguments
        + QStringList {QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                       QStringLiteral("--appendonly"), QStringLiteral("no")}
        + extraArguments;
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(program, arguments);
    if (!m_process.waitForStarted(5000)) {
        m_error = QStringLiteral("redis-server did not start: %1").arg(m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running) {
            m_error = QStringLiteral("redis-server exited: %1").arg(QString::fromLocal8Bit(m_process.readAll()));
            return false;
        }
        if (isReady())
            return true;
        m_process.waitForReadyRead(20); // a pause that also reads what redis-server says
    }
    m_error = QStringLiteral("redis-server on port %1 did not become ready").arg(m_port);
    return false;
}

void RedisServer::kill()
{
    m_process.kill();
    m_process.waitForFinished(5000);
}

void RedisServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

fanout::RedisUrl RedisServer::url() const
{
    fanout::RedisUrl url;
    url.port = m_port;
    url.tls = m_tls;
    return url;
}

QString RedisServer::urlString() const
{
    return QStringLiteral("%1://127.0.0.1:%2")
        .arg(m_tls ? QStringLiteral("rediss") : QStringLiteral("redis"))
        .arg(m_port);
}

QString RedisServer::cli(const QStringList &arguments) const
{
    QProcess process;
    process.start(QStringLiteral("redis-cli"), QStringList {QStringLiteral("-p"), QString::number(m_port)} + arguments);
    process.waitForFinished(5000);
    return QString::fromUtf8(process.readAllStandardOutput());
}
