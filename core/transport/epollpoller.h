#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>

#include <functional>
#include <vector>

class QSocketNotifier;

namespace fanout {

/// One epoll set for the sockets of a thread's event loop, watched by a single QSocketNotifier:
/// the Qt dispatcher polls one descriptor however many connections there are, and the poller
/// asks epoll which of them are ready. It also owns what a thread's sockets share: one read
/// buffer, and the cork: a socket with frames to send asks for a flush, and every socket asked
/// is flushed once, after the events of this loop turn (the replies of one Redis read, the
/// frames of one socket read) were handled, so a socket gets one write per turn.
class EpollPoller : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(quint32 events)>;
    /// What the cork flushes: a socket with queued bytes.
    class Flushable
    {
    public:
        virtual ~Flushable() = default;
        virtual void flush() = 0;
    };

    static constexpr qsizetype ReadBufferBytes = 64 * 1024;

    explicit EpollPoller(QObject *parent = nullptr);
    ~EpollPoller() override;

    bool isValid() const { return m_epoll >= 0; }
    /// Watches fd for events (EPOLLIN, EPOLLOUT...; level-triggered); false on failure.
    bool add(int fd, quint32 events, Handler handler);
    void modify(int fd, quint32 events);
    /// Replaces the handler of a watched fd.
    void setHandler(int fd, Handler handler);
    /// Stops watching fd (before it is closed); its events still pending in this turn are dropped.
    void remove(int fd);

    /// The thread's read buffer, ReadBufferBytes long, reused by every socket.
    char *readBuffer() { return m_readBuffer.data(); }
    /// Flushes `socket` once after this turn's events; it must cancelFlush() before it goes.
    void requestFlush(Flushable *socket);
    void cancelFlush(Flushable *socket);

private:
    void poll();
    void flushAll();

    int m_epoll = -1;
    QSocketNotifier *m_notifier = nullptr;
    QHash<int, Handler> m_handlers;
    QByteArray m_readBuffer;
    std::vector<Flushable *> m_toFlush;
    bool m_flushPosted = false;
};

}
