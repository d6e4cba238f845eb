#include "presencebench.h"

#include "crossthreadcall.h"
#include "presenceaskers.h"
#include "processsampler.h"
#include "redis/redisconnection.h"

#include <QJsonArray>
#include <QTimer>
#include <QWebSocket>

namespace {

double seconds(qint64 ns)
{
    return double(ns) / 1e9;
}

}

PresenceBench::PresenceBench(const BenchOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_users(options), m_askers(new PresenceAskers(options))
{
    m_sockets.assign(size_t(m_users.count()), nullptr);
    m_askers->moveToThread(&m_askerThread);
    connect(&m_askerThread, &QThread::finished, m_askers, &QObject::deleteLater);
    connect(m_askers, &PresenceAskers::joined, this, [this] {
        m_askersJoined = true;
        queryWhenAllJoined();
    });
    connect(m_askers, &PresenceAskers::finished, this, &PresenceBench::onQueried);
    connect(m_askers, &PresenceAskers::failed, this, &PresenceBench::fail);
    m_askerThread.start();
}

PresenceBench::~PresenceBench()
{
    m_askerThread.quit();
    m_askerThread.wait();
    for (QWebSocket *socket : m_sockets) {
        if (socket) {
            socket->disconnect(this);
            socket->abort();
        }
    }
}

void PresenceBench::start()
{
    m_clock.start();
    if (m_options.redis) {
        m_redis = new fanout::RedisConnection(*m_options.redis, QStringLiteral("fanout-bench"),
                                              fanout::RedisConnection::Mode::Command, this);
        m_redis->open();
    }
    QTimer::singleShot(JoinTimeoutMs, this, [this] {
        if (m_phase == Phase::Joining)
            fail(QStringLiteral("not every user joined within %1 s").arg(JoinTimeoutMs / 1000));
    });
    fanout::invokeQueued(m_askers, [askers = m_askers] { askers->open(); });
    m_opened = m_users.askerCount(); // the askers open their own
    openMore();
    queryWhenAllJoined(); // in case every user asks
}

int PresenceBench::memberCount() const
{
    return m_users.count() - m_users.askerCount();
}

void PresenceBench::openMore()
{
    while (m_opened < m_users.count() && m_opened - m_users.askerCount() - m_joined < ConcurrentJoins) {
        const int user = m_opened++;
        const bool typed = m_users.isTyped(user);
        m_sockets[size_t(user)] = m_users.open(user, this,
                                               {[this, typed] {
                                                    if (!typed)
                                                        onJoined(); // room mode joins on open: the room is on the URL
                                                },
                                                [this, user](const QString &text) { onText(user, text); },
                                                [this](const QString &fault) { fail(fault); }});
    }
}

void PresenceBench::onText(int user, const QString &text)
{
    switch (PresenceUsers::kindOf(text)) {
    case PresenceUsers::Frame::Joined:
        onJoined();
        break;
    case PresenceUsers::Frame::Error:
    case PresenceUsers::Frame::Answer:
        fail(QStringLiteral("%1 received %2").arg(PresenceUsers::name(user), text.left(200)));
        break;
    case PresenceUsers::Frame::Greeting:
        break;
    case PresenceUsers::Frame::Other:
        ++m_eventFrames;
        break;
    }
}

void PresenceBench::onJoined()
{
    ++m_joined;
    openMore();
    queryWhenAllJoined();
}

void PresenceBench::queryWhenAllJoined()
{
    if (m_phase != Phase::Joining || m_joined < memberCount() || !m_askersJoined)
        return;
    m_joinNs = m_clock.nsecsElapsed();
    m_phase = Phase::Querying;
    fanout::invokeQueued(m_askers, [askers = m_askers] { askers->queryAll(); });
}

void PresenceBench::onQueried(const QJsonObject &queries)
{
    if (m_phase != Phase::Querying)
        return;
    m_queries = queries;
    m_phase = Phase::Idle;
    if (!m_redis) {
        m_phase = Phase::Done;
        emit finished(result());
        return;
    }
    readStats([this](const CommandStats &before) {
        m_windowStartNs = m_clock.nsecsElapsed();
        m_serverCpuStart = ProcessSampler::cpuSeconds(m_options.pids);
        QTimer::singleShot(int(m_options.seconds * 1000), Qt::PreciseTimer, this, [this, before] {
            readStats([this, before](const CommandStats &after) { finishIdleWindow(before, after); });
        });
    });
}

void PresenceBench::readStats(const std::function<void(const CommandStats &)> &then)
{
    const bool sent = m_redis->send({"INFO", "commandstats"}, [this, then](const fanout::RedisReply &reply) {
        const std::optional<CommandStats> stats = CommandStats::parse(reply.string);
        if (reply.isError() || !stats) {
            fail(QStringLiteral("INFO commandstats on %1: %2")
                     .arg(m_options.redis->toDisplayString(), reply.toDisplayString()));
            return;
        }
        then(*stats);
    });
    if (!sent)
        fail(QStringLiteral("Redis at %1 is not connected: cannot read INFO commandstats")
                 .arg(m_options.redis->toDisplayString()));
}

void PresenceBench::finishIdleWindow(const CommandStats &before, const CommandStats &after)
{
    if (m_phase != Phase::Idle)
        return;
    if (!m_options.pids.isEmpty())
        m_serverCpuSeconds = ProcessSampler::cpuSeconds(m_options.pids) - m_serverCpuStart;
    m_refresh = refreshResult(after.since(before));
    m_phase = Phase::Done;
    emit finished(result());
}

QJsonObject PresenceBench::refreshResult(const CommandStats &delta) const
{
    const double window = seconds(m_clock.nsecsElapsed() - m_windowStartNs);
    const double period = m_options.presenceTtlSeconds / 3;
    const double perTenThousand = 10000.0 / m_users.count();
    const CommandStats::Command evalsha = delta.command(QStringLiteral("evalsha"));
    const double commandsPerSecond = double(delta.totalCalls()) / window;
    const double evalshaPerSecond = double(evalsha.calls) / window;
    QJsonObject refresh {
        {"window_seconds", window},
        {"presence_ttl_seconds", m_options.presenceTtlSeconds},
        {"refresh_period_seconds", period},
        {"commands", double(delta.totalCalls())},
        {"evalsha", double(evalsha.calls)},
        {"commands_by_name", delta.callsByName()},
        {"commands_per_second", commandsPerSecond},
        {"evalsha_per_second", evalshaPerSecond},
        {"evalsha_ms_per_call", evalsha.calls ? double(evalsha.usec) / 1000 / double(evalsha.calls) : 0.0},
        {"redis_script_ms_per_second", double(evalsha.usec) / 1000 / window},
        {"commands_per_refresh_period", commandsPerSecond * period},
        {"commands_per_second_per_10k_connections", commandsPerSecond * perTenThousand},
        {"evalsha_per_second_per_10k_connections", evalshaPerSecond * perTenThousand},
    };
    if (m_serverCpuSeconds >= 0)
        refresh.insert(QStringLiteral("server_cpu_percent"), m_serverCpuSeconds / window * 100);
    return refresh;
}

QJsonObject PresenceBench::result() const
{
    int typed = 0;
    for (int user = 0; user < m_users.count(); ++user)
        typed += m_users.isTyped(user);
    QJsonObject result {
        {"label", m_options.label},
        {"mode", "presence"},
        {"nodes", int(m_options.urls.size())},
        {"users", m_users.count()},
        {"typed_users", typed},
        {"room_mode_users", m_users.count() - typed},
        {"join_seconds", seconds(m_joinNs)},
        {"member_event_frames", double(m_eventFrames)},
    };
    for (auto field = m_queries.constBegin(); field != m_queries.constEnd(); ++field)
        result.insert(field.key(), field.value());
    if (!m_refresh.isEmpty())
        result.insert(QStringLiteral("refresh"), m_refresh);
    QJsonArray rss;
    for (const qint64 pid : m_options.pids)
        rss.append(double(ProcessSampler::rssKiB(pid)));
    if (!rss.isEmpty())
        result.insert(QStringLiteral("server_rss_kib"), rss);
    return result;
}

void PresenceBench::fail(const QString &message)
{
    if (m_phase == Phase::Done)
        return;
    const bool joining = m_phase == Phase::Joining;
    m_phase = Phase::Done;
    emit failed(joining ? QStringLiteral("%1 (%2 of %3 members and %4 askers had joined after %5 s; members "
                                         "received %6 event frames)")
                              .arg(message)
                              .arg(m_joined)
                              .arg(memberCount())
                              .arg(m_askersJoined ? QStringLiteral("all") : QStringLiteral("not all"))
                              .arg(seconds(m_clock.nsecsElapsed()), 0, 'f', 1)
                              .arg(m_eventFrames)
                        : message);
}
