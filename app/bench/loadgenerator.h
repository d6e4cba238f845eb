#pragma once

#include "benchoptions.h"
#include "clientgroup.h"
#include "clientplacement.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

/// Drives the load: spreads the clients over --threads ClientGroups, each on a QThread of its
/// own, opens them (a bounded number of handshakes at a time), warms up, sends for the measured
/// window at the open-loop rate (or closed loop), drains until every owed delivery arrived or
/// none arrived for a while, then adds the groups' counts up and reports, along with whether
/// the bench itself kept up (bench_limited) so that a ramp never mistakes its own limit for the
/// fleet's.
class LoadGenerator : public QObject
{
    Q_OBJECT
public:
    static constexpr int ConcurrentHandshakes = 200;
    static constexpr int ConnectTimeoutMs = 60000;
    static constexpr int DrainPollMs = 50;
    /// Draining ends this long after the last delivery: what has not come by then is lost.
    static constexpr int DrainQuietMs = 1000;
    static constexpr int MaxDrainMs = 10000;
    /// The bench kept up when it sent at least this share of the asked rate, ...
    static constexpr double MinSentShare = 0.95;
    /// ... no thread of it was busier than this share of the window (it reads every delivery
    /// on its event loop, so past this it reads slower than the fleet sends) ...
    static constexpr double MaxThreadBusy = 0.9;
    /// ... and its event loops ran at most this late at p99: later, the client sockets are read
    /// that much late (the thread waits for a core the nodes hold), which the fleet sees as a
    /// slow reader and the latency figures include.
    static constexpr double MaxLoopLagP99Ms = 50;

    explicit LoadGenerator(const BenchOptions &options, QObject *parent = nullptr);
    ~LoadGenerator() override;

    void start();

signals:
    void finished(const QJsonObject &result);
    void failed(const QString &message);

private:
    enum class Phase {
        Connecting,
        Loading,
        Draining,
        Done
    };

    void onGroupConnected();
    void beginLoad();
    void onWindowEnded();
    void pollDrain();
    void finish();
    void fail(const QString &message);
    ClientGroup::Result collect() const;
    QJsonObject loadResult(const ClientGroup::Result &total, double serverCpu, double ownCpu) const;
    QString benchLimit(const ClientGroup::Result &total) const;
    QJsonObject idleResult();
    std::optional<QString> addLosses(const ClientGroup::Result &total, QJsonObject *result) const;

    BenchOptions m_options;
    ClientPlacement m_placement;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<ClientGroup *> m_groups;
    int m_groupsConnected = 0;
    int m_groupsEnded = 0;
    int m_clientCount = 0;
    Phase m_phase = Phase::Connecting;
    QElapsedTimer m_clock;
    qint64 m_clockEpochMs = 0; ///< the wall clock when m_clock started
    QTimer m_drainPoll;
    qint64 m_drainStartNs = 0;
    qint64 m_lastProgressNs = 0;
    quint64 m_lastDelivered = 0;
    double m_serverCpuStart = 0;
    double m_ownCpuStart = 0;
    qint64 m_rssBefore = -1;
};
