#include "loadgenerator.h"

#include "crossthreadcall.h"
#include "lossledger.h"
#include "processsampler.h"

#include <QDateTime>
#include <QFile>
#include <QStringList>
#include <QTextStream>

#include <algorithm>

namespace {

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

}

LoadGenerator::LoadGenerator(const BenchOptions &options, QObject *parent)
    : QObject(parent), m_options(options),
      m_placement(options.idleConnections > 0 ? options.idleConnections : options.clients, options.rooms,
                  int(options.urls.size()), options.idleConnections > 0)
{
    m_clientCount = options.idleConnections > 0 ? options.idleConnections : options.clients;
    m_clock.start();
    m_clockEpochMs = QDateTime::currentMSecsSinceEpoch();
    // Client i on thread i % threads: the senders, the first clients, spread over the threads.
    const int threads = std::clamp(options.threads, 1, m_clientCount);
    std::vector<std::vector<int>> shares(static_cast<size_t>(threads));
    for (int client = 0; client < m_clientCount; ++client)
        shares[size_t(client % threads)].push_back(client);
    for (int t = 0; t < threads; ++t) {
        auto *group = new ClientGroup(options, m_placement, std::move(shares[size_t(t)]), m_clock,
                                      std::max(1, ConcurrentHandshakes / threads));
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("fanout-bench clients %1").arg(t));
        group->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, group, &QObject::deleteLater);
        connect(group, &ClientGroup::connected, this, &LoadGenerator::onGroupConnected);
        connect(group, &ClientGroup::windowEnded, this, &LoadGenerator::onWindowEnded);
        connect(group, &ClientGroup::failed, this, &LoadGenerator::fail);
        thread->start();
        m_groups.push_back(group);
        m_threads.push_back(std::move(thread));
    }
    m_drainPoll.setInterval(DrainPollMs);
    connect(&m_drainPoll, &QTimer::timeout, this, &LoadGenerator::pollDrain);
}

LoadGenerator::~LoadGenerator()
{
    // Each group closes its sockets on its own thread, deleted as the thread finishes.
    for (const std::unique_ptr<QThread> &thread : m_threads) {
        thread->quit();
        thread->wait();
    }
}

void LoadGenerator::start()
{
    if (m_options.idleConnections > 0 && !m_options.pids.isEmpty())
        m_rssBefore = ProcessSampler::rssKiB(m_options.pids.first());
    QTimer::singleShot(ConnectTimeoutMs, this, [this] {
        if (m_phase != Phase::Connecting)
            return;
        int connected = 0;
        for (const ClientGroup *group : m_groups)
            connected += group->connectedSoFar();
        fail(QStringLiteral("only %1 of %2 clients connected within %3 s")
                 .arg(connected)
                 .arg(m_clientCount)
                 .arg(ConnectTimeoutMs / 1000));
    });
    for (ClientGroup *group : m_groups)
        fanout::invokeQueued(group, [group] { group->open(); });
}

void LoadGenerator::onGroupConnected()
{
    if (++m_groupsConnected < int(m_groups.size()) || m_phase != Phase::Connecting)
        return;
    m_phase = Phase::Loading;
    // Let every node register its members and subscribe before traffic starts.
    QTimer::singleShot(m_options.idleConnections > 0 ? 2000 : 500, this, &LoadGenerator::beginLoad);
}

void LoadGenerator::beginLoad()
{
    if (m_options.idleConnections > 0) {
        QTimer::singleShot(int(m_options.seconds * 1000), this, [this] {
            m_phase = Phase::Done;
            emit finished(idleResult());
        });
        return;
    }
    ClientGroup::Window window;
    window.startNs = m_clock.nsecsElapsed();
    window.measureStartNs = window.startNs + qint64(m_options.warmupSeconds * 1e9);
    window.measureEndNs = window.measureStartNs + qint64(m_options.seconds * 1e9);
    for (ClientGroup *group : m_groups)
        fanout::invokeQueued(group, [group, window] { group->beginLoad(window); });
    QTimer::singleShot(int(m_options.warmupSeconds * 1000), Qt::PreciseTimer, this, [this] {
        m_serverCpuStart = ProcessSampler::cpuSeconds(m_options.pids);
        m_ownCpuStart = ProcessSampler::ownCpuSeconds();
    });
}

/// Draining starts once every group's ticker saw the window end (a timer here could fire before
/// a busy group sent its last measured publish).
void LoadGenerator::onWindowEnded()
{
    if (++m_groupsEnded < int(m_groups.size()) || m_phase != Phase::Loading)
        return;
    m_phase = Phase::Draining;
    m_drainStartNs = m_lastProgressNs = m_clock.nsecsElapsed();
    m_drainPoll.start();
}

void LoadGenerator::pollDrain()
{
    quint64 delivered = 0;
    quint64 expected = 0;
    for (const ClientGroup *group : m_groups) {
        delivered += group->deliveredSoFar();
        expected += group->expectedSoFar();
    }
    const qint64 now = m_clock.nsecsElapsed();
    if (delivered != m_lastDelivered) {
        m_lastDelivered = delivered;
        m_lastProgressNs = now;
    }
    if (delivered >= expected || ms(now - m_lastProgressNs) >= DrainQuietMs || ms(now - m_drainStartNs) >= MaxDrainMs)
        finish();
}

ClientGroup::Result LoadGenerator::collect() const
{
    ClientGroup::Result total;
    for (ClientGroup *group : m_groups) {
        ClientGroup::Result part;
        fanout::invokeBlocking(group, [group, &part] { part = group->result(); });
        total.merge(part);
    }
    return total;
}

void LoadGenerator::finish()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_drainPoll.stop();
    const double serverCpu
        = m_options.pids.isEmpty() ? -1 : ProcessSampler::cpuSeconds(m_options.pids) - m_serverCpuStart;
    const double ownCpu = ProcessSampler::ownCpuSeconds() - m_ownCpuStart;
    const ClientGroup::Result total = collect();
    QJsonObject result = loadResult(total, serverCpu, ownCpu);
    if (m_options.accountsLosses()) {
        if (std::optional<QString> error = addLosses(total, &result)) {
            emit failed(*error);
            return;
        }
    }
    emit finished(result);
}

/// lost_by_reason into the result, and with --loss-log every lost delivery into that file.
std::optional<QString> LoadGenerator::addLosses(const ClientGroup::Result &total, QJsonObject *result) const
{
    const std::vector<LossLedger::Loss> losses = LossLedger::tally(m_placement, total.logs);
    QFile log(m_options.lossLog);
    if (!m_options.lossLog.isEmpty() && !log.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QStringLiteral("--loss-log: %1: %2").arg(m_options.lossLog, log.errorString());
    QJsonObject byReason {{LossLedger::name(LossLedger::Reason::ReceiverOffline), 0},
                          {LossLedger::name(LossLedger::Reason::Dropped), 0}};
    QTextStream out(&log);
    for (const LossLedger::Loss &loss : losses) {
        const QString reason = LossLedger::name(loss.reason);
        byReason[reason] = byReason[reason].toInt() + 1;
        if (log.isOpen())
            out << m_clockEpochMs + loss.publishedNs / 1000000 << ' ' << reason << '\n';
    }
    result->insert(QStringLiteral("lost_by_reason"), byReason);
    result->insert(QStringLiteral("unsent"), double(total.unsent));
    result->insert(QStringLiteral("resent"), double(total.resent));
    result->insert(QStringLiteral("reconnects"), total.reconnects);
    return std::nullopt;
}

void LoadGenerator::fail(const QString &message)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    emit failed(message);
}

QJsonObject LoadGenerator::loadResult(const ClientGroup::Result &total, double serverCpu, double ownCpu) const
{
    const double window = m_options.seconds;
    const QString limit = benchLimit(total);
    QJsonObject result {
        {"label", m_options.label},
        {"nodes", int(m_options.urls.size())},
        {"clients", m_options.clients},
        {"rooms", m_options.rooms},
        {"senders", m_options.senders},
        {"rate", m_options.rate},
        {"payload_bytes", m_options.payloadBytes},
        {"seconds", window},
        {"threads", int(m_groups.size())},
        {"sent", double(total.sent)},
        {"sent_per_second", double(total.sent) / window},
        {"nodes_per_publish", total.sent ? double(total.nodesReached) / double(total.sent) : 0.0},
        {"expected", double(total.expected)},
        {"delivered", double(total.delivered)},
        {"lost", double(total.expected > total.delivered ? total.expected - total.delivered : 0)},
        {"duplicates", double(total.duplicates)},
        {"malformed", double(total.malformed)},
        {"disconnected", total.disconnected},
        {"deliveries_per_second", double(total.delivered) / window},
        {"latency_ms",
         QJsonObject {{"p50", ms(total.latency.quantileNs(0.50))},
                      {"p99", ms(total.latency.quantileNs(0.99))},
                      {"max", ms(total.latency.maxNs())}}},
        {"drain_ms", m_drainStartNs ? ms(m_clock.nsecsElapsed() - m_drainStartNs) : 0.0},
        {"bench_cpu_seconds", ownCpu},
        {"bench_thread_busy_max", total.busy},
        {"bench_loop_lag_ms",
         QJsonObject {{"p99", ms(total.loopLag.quantileNs(0.99))}, {"max", ms(total.loopLag.maxNs())}}},
        {"bench_limited", !limit.isEmpty()},
        {"bench_limit", limit},
    };
    if (serverCpu >= 0) {
        result.insert(QStringLiteral("server_cpu_seconds"), serverCpu);
        result.insert(QStringLiteral("server_cpu_us_per_delivery"),
                      total.delivered ? serverCpu * 1e6 / double(total.delivered) : 0.0);
    }
    return result;
}

/// Why the bench, not the fleet, may have set this run's figures; empty when it kept up.
QString LoadGenerator::benchLimit(const ClientGroup::Result &total) const
{
    QStringList reasons;
    const double asked = m_options.rate * m_options.seconds;
    if (m_options.rate > 0 && double(total.sent) < MinSentShare * asked)
        reasons << QStringLiteral("sent %1 of the %2 publishes asked").arg(total.sent).arg(asked, 0, 'f', 0);
    if (total.busy > MaxThreadBusy)
        reasons << QStringLiteral("a client thread was busy %1 % of the time (more --threads spread the clients)")
                       .arg(total.busy * 100, 0, 'f', 0);
    const double lagP99 = ms(total.loopLag.quantileNs(0.99));
    if (lagP99 > MaxLoopLagP99Ms)
        reasons << QStringLiteral("the client threads' event loops ran %1 ms late at p99").arg(lagP99, 0, 'f', 1);
    return reasons.join(QStringLiteral("; "));
}

QJsonObject LoadGenerator::idleResult()
{
    const qint64 after = m_options.pids.isEmpty() ? -1 : ProcessSampler::rssKiB(m_options.pids.first());
    const int open = collect().open;
    QJsonObject result {{"label", m_options.label}, {"idle_connections", open}};
    if (after >= 0 && m_rssBefore >= 0) {
        result.insert(QStringLiteral("server_rss_before_kib"), double(m_rssBefore));
        result.insert(QStringLiteral("server_rss_after_kib"), double(after));
        result.insert(QStringLiteral("bytes_per_connection"), double(after - m_rssBefore) * 1024.0 / std::max(1, open));
    }
    return result;
}
