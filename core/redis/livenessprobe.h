#pragma once

#include <QObject>
#include <QTimer>

namespace fanout {

/// Notices a connection that stopped answering while its socket stays open (a failover, a frozen
/// network, a dead proxy). Every interval it looks whether anything was heard: if not, it asks for a
/// ping (pingDue()); if nothing was heard for two intervals after that ping either, it stops and
/// emits silent(). Whatever arrives counts as an answer, so under steady traffic it asks nothing.
class LivenessProbe : public QObject
{
    Q_OBJECT
public:
    explicit LivenessProbe(QObject *parent = nullptr);

    /// Starts watching with this interval; 0 does not probe.
    void start(int intervalMs);
    void stop();
    /// Something arrived on the connection.
    void heard() { m_heard = true; }

signals:
    void pingDue();
    void silent();

private:
    void tick();

    QTimer m_timer;
    bool m_heard = false;
    int m_ticksSincePing = -1; ///< -1: no ping unanswered
};

}
