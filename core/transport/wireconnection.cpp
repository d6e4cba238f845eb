#include "wireconnection.h"

#include "node/delivery.h"
#include "websocket/framewriter.h"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fanout {

WireConnection::WireConnection(int fd, EpollPoller *poller, const QString &id, SessionProtocol protocol,
                               quint64 maxMessageBytes, QObject *parent)
    : QObject(parent), Session(id, protocol), m_fd(fd), m_poller(poller), m_reader(maxMessageBytes)
{
    m_poller->setHandler(m_fd, [this](quint32 events) { onEvents(events); });
}

WireConnection::~WireConnection()
{
    m_poller->cancelFlush(this);
    if (m_fd >= 0) {
        m_poller->remove(m_fd);
        ::close(m_fd);
    }
}

void WireConnection::deliver(const Delivery &delivery)
{
    if (m_state != State::Open)
        return;
    if (queuedBytes() > MaxQueuedBytes) {
        emit closedByServer(1008);
        close(1008, QStringLiteral("too slow: send queue full"));
        return;
    }
    if (m_batchSize == 0) {
        queue(delivery.wireFrame(protocol()));
        return;
    }
    m_batch.append(delivery.frame(protocol()));
    if (m_batch.size() >= m_batchSize)
        sendBatch();
    else if (!m_batchTimer->isActive())
        m_batchTimer->start();
}

void WireConnection::setBatching(int maxMessages, int delayMs)
{
    m_batchSize = maxMessages;
    m_batchTimer = new QTimer(this);
    m_batchTimer->setSingleShot(true);
    m_batchTimer->setInterval(delayMs);
    connect(m_batchTimer, &QTimer::timeout, this, &WireConnection::sendBatch);
}

void WireConnection::sendBatch()
{
    if (m_batch.isEmpty())
        return;
    m_batchTimer->stop();
    queue(FrameWriter::text(R"({"type":"batch","messages":[)" + m_batch.join(',') + "]}"));
    m_batch.clear();
}

void WireConnection::sendText(const QByteArray &frame)
{
    if (m_state != State::Open)
        return;
    sendBatch();
    queue(FrameWriter::text(frame));
}

void WireConnection::close(int code, const QString &reason)
{
    if (m_state != State::Open)
        return;
    sendBatch();
    m_state = State::Closing;
    queue(FrameWriter::close(code, reason));
    // The peer answers with its close frame; one that does not is not waited for long.
    m_closeTimeout = new QTimer(this);
    m_closeTimeout->setSingleShot(true);
    connect(m_closeTimeout, &QTimer::timeout, this, &WireConnection::finish);
    m_closeTimeout->start(CloseTimeoutMs);
}

void WireConnection::received(QByteArrayView data)
{
    std::vector<FrameReader::Event> events;
    m_reader.feed(data, &events);
    for (const FrameReader::Event &event : events)
        handle(event);
}

void WireConnection::onEvents(quint32 events)
{
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        readAvailable();
    if ((events & EPOLLOUT) && m_state != State::Finished)
        flush();
}

void WireConnection::readAvailable()
{
    char *buffer = m_poller->readBuffer();
    while (m_state != State::Finished) {
        const ssize_t got = ::recv(m_fd, buffer, EpollPoller::ReadBufferBytes, 0);
        if (got > 0) {
            received(QByteArrayView(buffer, got));
            if (got < EpollPoller::ReadBufferBytes)
                return;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got < 0 && errno == EINTR)
            continue;
        finish(); // the peer went away (0) or the socket failed
        return;
    }
}

void WireConnection::handle(const FrameReader::Event &event)
{
    using Type = FrameReader::Event::Type;
    if (m_state == State::Finished)
        return;
    switch (event.type) {
    case Type::Text:
        if (m_state == State::Open)
            emit textReceived(event.payload);
        break;
    case Type::Binary:
        if (m_state == State::Open)
            emit binaryReceived();
        break;
    case Type::Ping:
        queue(FrameWriter::pong(event.payload));
        break;
    case Type::Pong:
        break;
    case Type::Close:
        if (m_state == State::Closing) {
            finish();
            break;
        }
        // Echo the peer's code (none for none), then close the TCP connection.
        closeAfter(event.code == 1005 ? FrameWriter::frame(FrameWriter::Close, {})
                                      : FrameWriter::close(event.code, QString()));
        break;
    case Type::Fail:
        emit closedByServer(event.code);
        closeAfter(FrameWriter::close(event.code, event.reason));
        break;
    }
}

void WireConnection::closeAfter(const QByteArray &closeFrame)
{
    if (m_state == State::Open)
        queue(closeFrame);
    m_state = State::Closing;
    m_finishWhenFlushed = true;
    if (queuedBytes() == 0)
        finish();
}

void WireConnection::queue(const QByteArray &bytes)
{
    if (m_state == State::Finished)
        return;
    if (m_out.isEmpty())
        m_out = bytes;
    else
        m_out.append(bytes);
    if (!m_flushRequested && !m_watchingWrites) {
        m_flushRequested = true;
        m_poller->requestFlush(this);
    }
}

void WireConnection::flush()
{
    m_flushRequested = false;
    while (queuedBytes() > 0 && m_state != State::Finished) {
        const ssize_t sent
            = ::send(m_fd, m_out.constData() + m_outStart, size_t(queuedBytes()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            m_outStart += sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The kernel's buffer is full: the rest goes when the socket is writable again.
            if (m_outStart > m_out.size() / 2) {
                m_out.remove(0, m_outStart);
                m_outStart = 0;
            }
            watchWrites(true);
            return;
        }
        finish();
        return;
    }
    m_out.clear();
    m_outStart = 0;
    watchWrites(false);
    if (m_finishWhenFlushed)
        finish();
}

void WireConnection::watchWrites(bool watch)
{
    if (watch == m_watchingWrites || m_state == State::Finished)
        return;
    m_watchingWrites = watch;
    m_poller->modify(m_fd, watch ? quint32(EPOLLIN | EPOLLOUT) : quint32(EPOLLIN));
}

void WireConnection::finish()
{
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
    m_poller->cancelFlush(this);
    m_flushRequested = false;
    m_poller->remove(m_fd);
    ::close(m_fd);
    m_fd = -1;
    m_out.clear();
    m_outStart = 0;
    if (m_closeTimeout)
        m_closeTimeout->stop();
    QMetaObject::invokeMethod(this, &WireConnection::finished, Qt::QueuedConnection);
}

}
