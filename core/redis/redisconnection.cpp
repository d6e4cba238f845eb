#include "redisconnection.h"

#include "logging.h"

#include <QTcpSocket>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <vector>

namespace fanout {

RedisConnection::RedisConnection(const RedisUrl &url, const QString &clientName, Mode mode, QObject *parent)
    : QObject(parent), m_url(url), m_clientName(clientName), m_mode(mode), m_socket(new QTcpSocket(this))
{
    m_reconnectTimer.setSingleShot(true);
    m_connectTimeout.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisConnection::startConnect);
    connect(&m_connectTimeout, &QTimer::timeout, this,
            [this] { failConnection(QStringLiteral("connect to %1 timed out").arg(m_url.toDisplayString())); });
    connect(m_socket, &QTcpSocket::connected, this, &RedisConnection::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &RedisConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (!m_ready)
            emit errorOccurred(QStringLiteral("%1: %2").arg(m_url.toDisplayString(), m_socket->errorString()));
    });
    connect(m_socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onSocketClosed();
    });
}

RedisConnection::~RedisConnection()
{
    m_wanted = false;
    m_socket->disconnect(this);
    m_socket->abort();
    for (auto &handler : std::exchange(m_pending, {})) {
        if (handler)
            handler(RedisReply::makeError("connection closed"));
    }
    if (m_reader)
        redisReaderFree(m_reader);
}

void RedisConnection::open()
{
    if (m_wanted)
        return;
    m_wanted = true;
    m_reconnectDelayMs = InitialReconnectDelayMs;
    startConnect();
}

void RedisConnection::close()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    m_socket->abort();
}

bool RedisConnection::send(const QList<QByteArray> &args, ReplyHandler handler)
{
    if (!m_ready)
        return false;
    writeCommand(args);
    if (m_mode == Mode::Command)
        m_pending.push_back(std::move(handler));
    return true;
}

void RedisConnection::startConnect()
{
    if (!m_wanted || m_socketActive)
        return;
    if (m_reader)
        redisReaderFree(m_reader);
    m_reader = redisReaderCreate();
    m_socketActive = true;
    m_connectTimeout.start(ConnectTimeoutMs);
    m_socket->connectToHost(m_url.host, m_url.port);
}

void RedisConnection::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);

    std::vector<QList<QByteArray>> handshake;
    if (!m_url.password.isEmpty()) {
        if (m_url.user.isEmpty())
            handshake.push_back({"AUTH", m_url.password.toUtf8()});
        else
            handshake.push_back({"AUTH", m_url.user.toUtf8(), m_url.password.toUtf8()});
    }
    if (m_mode == Mode::Command && m_url.db != 0)
        handshake.push_back({"SELECT", QByteArray::number(m_url.db)});
    handshake.push_back({"CLIENT", "SETNAME", m_clientName.toUtf8()});

    m_handshakeRepliesLeft = int(handshake.size());
    for (const auto &command : handshake) {
        writeCommand(command);
        m_pending.push_back([this, name = command.first()](const RedisReply &reply) {
            if (!m_socketActive)
                return; // the attempt already failed; its first error was reported
            if (reply.isError()) {
                failConnection(
                    QStringLiteral("%1 failed: %2").arg(QString::fromLatin1(name), QString::fromUtf8(reply.string)));
                return;
            }
            if (--m_handshakeRepliesLeft == 0) {
                m_connectTimeout.stop();
                m_ready = true;
                m_reconnectDelayMs = InitialReconnectDelayMs;
                qCDebug(lcRedis) << m_clientName << "ready on" << m_url.toDisplayString();
                emit ready();
            }
        });
    }
}

void RedisConnection::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    if (redisReaderFeed(m_reader, data.constData(), size_t(data.size())) != REDIS_OK) {
        failConnection(QStringLiteral("Redis reader: %1").arg(QString::fromUtf8(m_reader->errstr)));
        return;
    }
    while (m_socketActive && m_socket->state() == QAbstractSocket::ConnectedState) {
        void *raw = nullptr;
        if (redisReaderGetReply(m_reader, &raw) != REDIS_OK) {
            failConnection(QStringLiteral("Redis protocol error: %1").arg(QString::fromUtf8(m_reader->errstr)));
            return;
        }
        if (!raw)
            return;
        const RedisReply reply = RedisReply::fromHiredis(static_cast<redisReply *>(raw));
        freeReplyObject(raw);
        dispatch(reply);
    }
}

void RedisConnection::dispatch(const RedisReply &reply)
{
    if (m_mode == Mode::Subscriber && m_ready) {
        emit pushReceived(reply);
        return;
    }
    if (m_pending.empty()) {
        failConnection(QStringLiteral("Redis sent a reply nobody asked for"));
        return;
    }
    ReplyHandler handler = std::move(m_pending.front());
    m_pending.pop_front();
    if (handler)
        handler(reply);
}

void RedisConnection::onSocketClosed()
{
    if (!m_socketActive)
        return;
    m_socketActive = false;
    m_connectTimeout.stop();
    const bool wasReady = std::exchange(m_ready, false);
    for (auto &handler : std::exchange(m_pending, {})) {
        if (handler)
            handler(RedisReply::makeError(LostError));
    }
    if (wasReady) {
        qCWarning(lcRedis) << m_clientName << "lost its connection to" << m_url.toDisplayString();
        emit lost();
    }
    scheduleReconnect();
}

void RedisConnection::scheduleReconnect()
{
    if (!m_wanted)
        return;
    m_reconnectTimer.start(m_reconnectDelayMs);
    m_reconnectDelayMs = std::min(m_reconnectDelayMs * 2, MaxReconnectDelayMs);
}

void RedisConnection::failConnection(const QString &message)
{
    qCWarning(lcRedis) << m_clientName << message;
    emit errorOccurred(message);
    m_socket->abort();
}

void RedisConnection::writeCommand(const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    char *command = nullptr;
    const int length = redisFormatCommandArgv(&command, int(argv.size()), argv.data(), lengths.data());
    if (length < 0)
        return;
    m_socket->write(command, qint64(length));
    redisFreeCommand(command);
}

}
