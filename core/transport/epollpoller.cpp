#include "epollpoller.h"

#include "logging.h"

#include <QSocketNotifier>

#include <algorithm>
#include <array>
#include <sys/epoll.h>
#include <unistd.h>

namespace fanout {

EpollPoller::EpollPoller(QObject *parent)
    : QObject(parent), m_epoll(epoll_create1(EPOLL_CLOEXEC)), m_readBuffer(ReadBufferBytes, Qt::Uninitialized)
{
    if (m_epoll < 0) {
        qCCritical(lcTransport) << "epoll_create1 failed:" << qt_error_string(errno);
        return;
    }
    m_notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &EpollPoller::poll);
}

EpollPoller::~EpollPoller()
{
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollPoller::add(int fd, quint32 events, Handler handler)
{
    epoll_event event {};
    event.events = events;
    event.data.fd = fd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
        return false;
    m_handlers.insert(fd, std::move(handler));
    return true;
}

void EpollPoller::modify(int fd, quint32 events)
{
    epoll_event event {};
    event.events = events;
    event.data.fd = fd;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
}

void EpollPoller::setHandler(int fd, Handler handler)
{
    m_handlers.insert(fd, std::move(handler));
}

void EpollPoller::remove(int fd)
{
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
    m_handlers.remove(fd);
}

void EpollPoller::poll()
{
    constexpr int batch = 256;
    std::array<epoll_event, batch> events {};
    const int ready = epoll_wait(m_epoll, events.data(), batch, 0);
    for (int i = 0; i < ready; ++i) {
        const auto handler = m_handlers.constFind(events[size_t(i)].data.fd);
        if (handler != m_handlers.cend()) {
            // A copy: the handler may remove itself.
            const Handler call = *handler;
            call(events[size_t(i)].events);
        }
    }
}

void EpollPoller::requestFlush(Flushable *socket)
{
    m_toFlush.push_back(socket);
    if (!m_flushPosted) {
        m_flushPosted = true;
        QMetaObject::invokeMethod(this, &EpollPoller::flushAll, Qt::QueuedConnection);
    }
}

void EpollPoller::cancelFlush(Flushable *socket)
{
    m_toFlush.erase(std::remove(m_toFlush.begin(), m_toFlush.end(), socket), m_toFlush.end());
}

void EpollPoller::flushAll()
{
    m_flushPosted = false;
    for (Flushable *socket : std::exchange(m_toFlush, {}))
        socket->flush();
}

}
