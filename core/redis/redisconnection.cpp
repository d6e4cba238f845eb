#include "redisconnection.h"

#include "clientnames.h"
#include "livenessprobe.h"
#include "logging.h"
#include "sentinelresolver.h"

#include <QSslSocket>

#include <hiredis/hiredis.h>

#include <vector>

namespace fanout {

namespace {

QTcpSocket *createSocket(const RedisUrl &url, QObject *parent)
{
    if (!url.tls)
        return new QTcpSocket(parent);
    auto *socket = new QSslSocket(parent);
    socket->setSslConfiguration(url.tlsSettings.configuration());
    return socket;
}

bool isTlsError(QAbstractSocket::SocketError error)
{
    return error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError
        || error == QAbstractSocket::SslInvalidUserDataError;
}

}

RedisConnection::RedisConnection(const RedisUrl &url, const QString &clientName, Mode mode, QObject *parent)
    : RedisConnection(url, nullptr, clientName, mode, parent)
{ }

RedisConnection::RedisConnection(const RedisUrl &url, SentinelResolver *resolver, const QString &clientName, Mode mode,
                                 QObject *parent)
    : QObject(parent), m_url(url), m_clientName(clientName), m_mode(mode), m_socket(createSocket(url, this)),
      m_probe(new LivenessProbe(this))
{
    m_reconnectTimer.setSingleShot(true);
    m_connectTimeout.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisConnection::startConnect);
    connect(&m_connectTimeout, &QTimer::timeout, this,
            [this] { failConnection(QStringLiteral("connect to %1 timed out").arg(where())); });
    if (auto *tlsSocket = qobject_cast<QSslSocket *>(m_socket)) {
        // RESP starts once the handshake verified the server; the TCP connect is not enough. The
        // errors are not ignored, so Qt aborts the handshake after reporting them.
        connect(tlsSocket, &QSslSocket::encrypted, this, &RedisConnection::onConnected);
        connect(tlsSocket, &QSslSocket::sslErrors, this,
                [this](const QList<QSslError> &errors) { m_tlsErrors = errors; });
    } else {
        connect(m_socket, &QTcpSocket::connected, this, &RedisConnection::onConnected);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &RedisConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (!m_ready)
            reportFailure(socketFailure());
    });
    connect(m_socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onSocketClosed();
    });
    connect(m_probe, &LivenessProbe::pingDue, this, &RedisConnection::sendProbe);
    connect(m_probe, &LivenessProbe::silent, this, [this] {
        failConnection(QStringLiteral("no answer to PING from %1 within %2 ms: reconnecting")
                           .arg(where())
                           .arg(2 * m_probeIntervalMs));
    });
    if (m_url.isSentinel())
        useResolver(resolver ? resolver : new SentinelResolver(m_url, ClientNames::sentinel(clientName), this));
}

void RedisConnection::useResolver(SentinelResolver *resolver)
{
    m_resolver = resolver;
    connect(resolver, &SentinelResolver::resolved, this, [this](const RedisUrl::Address &primary) {
        if (std::exchange(m_resolving, false))
            connectTo(primary);
    });
    connect(resolver, &SentinelResolver::failed, this, [this](const QString &message) {
        if (!std::exchange(m_resolving, false))
            return;
        reportFailure(message);
        scheduleReconnect();
    });
    connect(resolver, &SentinelResolver::primaryMoved, this, &RedisConnection::onPrimaryMoved);
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
}

void RedisConnection::open()
{
    if (m_wanted)
        return;
    m_wanted = true;
    m_reconnectDelayMs = InitialReconnectDelayMs;
    startConnect();
}

void RedisConnection::setProbeIntervalMs(int intervalMs)
{
    m_probeIntervalMs = std::max(intervalMs, 0);
    if (m_ready)
        m_probe->start(m_probeIntervalMs);
}

void RedisConnection::close()
{
    m_wanted = false;
    m_resolving = false;
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
    if (!m_wanted || m_socketActive || m_resolving)
        return;
    if (m_url.isSentinel()) {
        if (m_resolver) { // gone only while its owner is being destroyed
            m_resolving = true;
            m_resolver->resolve();
        }
        return;
    }
    connectTo({m_url.host, m_url.port});
}

void RedisConnection::connectTo(const RedisUrl::Address &endpoint)
{
    m_endpoint = endpoint;
    m_reader = std::make_unique<RedisReplyReader>();
    m_socketActive = true;
    m_tlsErrors.clear();
    m_connectTimeout.start(ConnectTimeoutMs);
    if (auto *tlsSocket = qobject_cast<QSslSocket *>(m_socket))
        tlsSocket->connectToHostEncrypted(m_endpoint.host, m_endpoint.port);
    else
        m_socket->connectToHost(m_endpoint.host, m_endpoint.port);
}

void RedisConnection::onPrimaryMoved(const RedisUrl::Address &primary)
{
    if (!m_wanted || (m_socketActive && m_endpoint == primary))
        return;
    // The next attempt comes after the first backoff, whatever failed before.
    m_reconnectDelayMs = InitialReconnectDelayMs;
    if (m_resolving)
        return; // the answer, or the ROLE check after it, decides
    if (m_socketActive) {
        qCInfo(lcRedis).noquote() << m_clientName << "leaves" << where() << "for the new primary";
        m_socket->abort();
    }
    // A lost connection waits for its backoff; with a new primary known it asks again at once.
    m_reconnectTimer.stop();
    startConnect();
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
    if (m_resolver)
        handshake.push_back({"ROLE"});

    m_handshakeRepliesLeft = int(handshake.size());
    for (const auto &command : handshake) {
        writeCommand(command);
        m_pending.push_back([this, name = command.first()](const RedisReply &reply) {
            if (!m_socketActive)
                return; // the attempt already failed; its first error was reported
            if (const QString fault = handshakeFault(name, reply); !fault.isEmpty()) {
                failConnection(fault);
                return;
            }
            if (--m_handshakeRepliesLeft == 0) {
                m_connectTimeout.stop();
                m_ready = true;
                m_reconnectDelayMs = InitialReconnectDelayMs;
                m_lastFailure.clear();
                m_probe->start(m_probeIntervalMs);
                qCDebug(lcRedis) << m_clientName << "ready on" << where();
                emit ready();
            }
        });
    }
}

QString RedisConnection::handshakeFault(const QByteArray &command, const RedisReply &reply) const
{
    if (reply.isError())
        return QStringLiteral("%1 failed: %2").arg(QString::fromLatin1(command), QString::fromUtf8(reply.string));
    if (command == "ROLE" && m_resolver)
        return m_resolver->roleFault(reply, m_endpoint);
    return {};
}

QString RedisConnection::where() const
{
    if (!m_resolver)
        return m_url.toDisplayString();
    return QStringLiteral("%1 (primary %2)").arg(m_url.toDisplayString(), m_endpoint.toString());
}

void RedisConnection::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    m_probe->heard();
    if (!m_reader->feed(data)) {
        failConnection(m_reader->errorString());
        return;
    }
    while (m_socketActive && m_socket->state() == QAbstractSocket::ConnectedState) {
        RedisReply reply;
        switch (m_reader->next(&reply)) {
        case RedisReplyReader::Result::Error:
            failConnection(m_reader->errorString());
            return;
        case RedisReplyReader::Result::Incomplete:
            return;
        case RedisReplyReader::Result::Reply:
            dispatch(reply);
            break;
        }
    }
}

void RedisConnection::dispatch(const RedisReply &reply)
{
    if (m_mode == Mode::Subscriber && m_ready) {
        if (!isProbeAnswer(reply))
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
    m_probe->stop();
    m_pongsExpected = 0;
    const bool wasReady = std::exchange(m_ready, false);
    for (auto &handler : std::exchange(m_pending, {})) {
        if (handler)
            handler(RedisReply::makeError(LostError));
    }
    if (wasReady) {
        if (m_wanted)
            qCWarning(lcRedis) << m_clientName << "lost its connection to" << where();
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
    reportFailure(message);
    m_socket->abort();
}

void RedisConnection::reportFailure(const QString &message)
{
    emit errorOccurred(message);
    if (message == m_lastFailure && m_lastFailureLogged.isValid()
        && !m_lastFailureLogged.hasExpired(FailureLogIntervalMs)) {
        ++m_failuresNotLogged;
        return;
    }
    if (message == m_lastFailure && m_failuresNotLogged > 0)
        qCWarning(lcRedis).noquote() << m_clientName << message
                                     << QStringLiteral("(%1 times more since)").arg(m_failuresNotLogged);
    else
        qCWarning(lcRedis).noquote() << m_clientName << message;
    m_lastFailure = message;
    m_lastFailureLogged.start();
    m_failuresNotLogged = 0;
}

QString RedisConnection::socketFailure() const
{
    const QString where = this->where();
    if (!m_tlsErrors.isEmpty()) {
        QStringList reasons;
        for (const QSslError &error : m_tlsErrors)
            reasons.append(error.errorString());
        return QStringLiteral("%1: TLS certificate verification failed: %2")
            .arg(where, reasons.join(QLatin1String("; ")));
    }
    if (isTlsError(m_socket->error()))
        return QStringLiteral("%1: TLS handshake failed: %2").arg(where, m_socket->errorString());
    return QStringLiteral("%1: %2").arg(where, m_socket->errorString());
}

void RedisConnection::sendProbe()
{
    if (!send({"PING"}))
        return;
    if (m_mode == Mode::Subscriber)
        ++m_pongsExpected;
}

/// In subscribe mode PING is answered with a ["pong", ""] push, outside it (no subscription yet)
/// with +PONG: either is the probe's, not the owner's.
bool RedisConnection::isProbeAnswer(const RedisReply &reply)
{
    if (m_pongsExpected == 0)
        return false;
    const bool pong = reply.type == RedisReply::Type::Array
        ? !reply.elements.isEmpty() && reply.elements.first().string == "pong"
        : reply.type == RedisReply::Type::Status && reply.string == "PONG";
    if (pong)
        --m_pongsExpected;
    return pong;
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
