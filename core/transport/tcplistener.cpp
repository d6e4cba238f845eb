#include "tcplistener.h"

#include "epollpoller.h"
#include "logging.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fanout {

namespace {

/// The socket address of address:port; IPv6 for an IPv6 or a dual-stack any address.
socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *storage, bool *dualStack)
{
    std::memset(storage, 0, sizeof(*storage));
    *dualStack = address == QHostAddress::Any;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *v4 = reinterpret_cast<sockaddr_in *>(storage);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        v4->sin_addr.s_addr = htonl(address.toIPv4Address());
        return sizeof(sockaddr_in);
    }
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    const Q_IPV6ADDR bytes = *dualStack ? Q_IPV6ADDR {} : address.toIPv6Address();
    std::memcpy(&v6->sin6_addr, &bytes, sizeof(bytes));
    return sizeof(sockaddr_in6);
}

}

TcpListener::TcpListener(EpollPoller *poller, QObject *parent) : QObject(parent), m_poller(poller)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(RetryMs);
    connect(&m_retry, &QTimer::timeout, this, &TcpListener::resume);
}

TcpListener::~TcpListener()
{
    close();
}

bool TcpListener::listen(const QHostAddress &address, quint16 port)
{
    sockaddr_storage storage {};
    bool dualStack = false;
    const socklen_t length = toSockaddr(address, port, &storage, &dualStack);
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int on = 1;
    const int off = 0;
    if (fd >= 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (storage.ss_family == AF_INET6)
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dualStack ? &off : &on, sizeof(int));
    }
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, Backlog) != 0
        || !m_poller->add(fd, EPOLLIN, [this](quint32) { acceptAll(); })) {
        m_error = QStringLiteral("cannot listen on %1:%2: %3")
                      .arg(address.toString())
                      .arg(port)
                      .arg(qt_error_string(errno));
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    sockaddr_storage bound {};
    socklen_t boundLength = sizeof(bound);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    m_fd = fd;
    m_address = address;
    m_port = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
                                              : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
    return true;
}

void TcpListener::close()
{
    m_retry.stop();
    if (m_fd < 0)
        return;
    m_poller->remove(m_fd);
    ::close(m_fd);
    m_fd = -1;
}

void TcpListener::acceptAll()
{
    const int on = 1;
    while (m_fd >= 0) {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            m_warned = false;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
            emit accepted(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            pause();
        return;
    }
}

void TcpListener::pause()
{
    if (!std::exchange(m_warned, true))
        qCWarning(lcTransport) << "out of file descriptors: not accepting until one is freed";
    m_paused = true;
    // Level-triggered: a listener left watched would wake the loop for ever.
    m_poller->modify(m_fd, 0);
    m_retry.start();
}

void TcpListener::resume()
{
    if (!m_paused || m_fd < 0)
        return;
    m_paused = false;
    m_retry.stop();
    m_poller->modify(m_fd, EPOLLIN);
    acceptAll();
}

}
