#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTimer>

namespace fanout {

class EpollPoller;

/// A listening TCP socket on an EpollPoller. Each accepted connection comes out as a
/// non-blocking descriptor with TCP_NODELAY set, taken by whoever handles accepted(). When the
/// process runs out of descriptors (EMFILE, ENFILE) it stops accepting, serving the open
/// connections meanwhile, and tries again after RetryMs or as soon as resume() says one was
/// closed; the pending connections wait in the kernel's backlog.
class TcpListener : public QObject
{
    Q_OBJECT
public:
    static constexpr int RetryMs = 100;
    static constexpr int Backlog = 1024;

    explicit TcpListener(EpollPoller *poller, QObject *parent = nullptr);
    ~TcpListener() override;

    bool listen(const QHostAddress &address, quint16 port);
    void close();
    bool isListening() const { return m_fd >= 0; }
    bool isPaused() const { return m_paused; }
    QString errorString() const { return m_error; }
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }
    /// A descriptor was freed: accept again if paused.
    void resume();

signals:
    void accepted(int fd);

private:
    void acceptAll();
    void pause();

    EpollPoller *m_poller;
    int m_fd = -1;
    QHostAddress m_address;
    quint16 m_port = 0;
    QString m_error;
    bool m_paused = false;
    bool m_warned = false; ///< since the last accepted connection
    QTimer m_retry;
};

}
