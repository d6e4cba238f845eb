#include "presencebench.h"

#include "envelope/jsontext.h"
#include "node/tokenverifier.h"
#include "processsampler.h"
#include "redis/redisconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

namespace {

QString userName(int user)
{
    return QStringLiteral("u%1").arg(user);
}

QString quoted(const QString &text)
{
    return QString::fromUtf8(fanout::JsonText::quote(text));
}

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

}

PresenceBench::PresenceBench(const BenchOptions &options, QObject *parent) : QObject(parent), m_options(options)
{
    m_sockets.assign(size_t(options.presenceUsers), nullptr);
}

PresenceBench::~PresenceBench()
{
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
            fail(QStringLiteral("only %1 of %2 users joined within %3 s (%4 other frames received meanwhile)")
                     .arg(m_joined)
                     .arg(m_options.presenceUsers)
                     .arg(JoinTimeoutMs / 1000)
                     .arg(m_otherFrames));
    });
    openMore();
}

int PresenceBench::askerCount() const
{
    return m_options.presenceAskers * int(m_options.urls.size());
}

bool PresenceBench::isTyped(int user) const
{
    return m_options.tokenSecret.isEmpty() || user < askerCount();
}

QByteArray PresenceBench::tokenOf(int user) const
{
    return fanout::TokenVerifier::sign(m_options.tokenSecret, QJsonObject {{"sub", userName(user)}});
}

QUrl PresenceBench::urlOf(int user) const
{
    QUrl url = m_options.urls.at(user % m_options.urls.size());
    if (isTyped(user)) {
        url.setPath(QStringLiteral("/rooms"));
        return url;
    }
    url.setPath(QStringLiteral("/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("room"), Room);
    query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(tokenOf(user)));
    url.setQuery(query);
    return url;
}

void PresenceBench::openMore()
{
    while (m_opened < m_options.presenceUsers && m_opened - m_joined < ConcurrentJoins) {
        const int user = m_opened++;
        auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        m_sockets[size_t(user)] = socket;
        connect(socket, &QWebSocket::connected, this, [this, user] { onConnected(user); });
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, user](const QString &text) { onText(user, text); });
        connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, user, socket] {
            fail(QStringLiteral("%1 on %2: %3")
                     .arg(userName(user), urlOf(user).toString(QUrl::RemoveQuery), socket->errorString()));
        });
        connect(socket, &QWebSocket::disconnected, this, [this, user, socket] {
            fail(QStringLiteral("%1 on %2 was disconnected: close code %3 \"%4\"")
                     .arg(userName(user), urlOf(user).toString(QUrl::RemoveQuery))
                     .arg(socket->closeCode())
                     .arg(socket->closeReason()));
        });
        socket->open(urlOf(user));
    }
}

void PresenceBench::onConnected(int user)
{
    QWebSocket *socket = m_sockets[size_t(user)];
    if (!isTyped(user)) {
        onJoined(); // room mode joins on open: the room is on the URL
        return;
    }
    const QString credential = m_options.tokenSecret.isEmpty()
        ? QStringLiteral("\"userId\":%1").arg(quoted(userName(user)))
        : QStringLiteral("\"token\":%1").arg(quoted(QString::fromLatin1(tokenOf(user))));
    // Frames are handled in order: the join comes after the auth it needs.
    socket->sendTextMessage(QStringLiteral("{\"type\":\"auth\",%1}").arg(credential));
    socket->sendTextMessage(QStringLiteral("{\"type\":\"join\",\"room\":%1}").arg(quoted(Room)));
}

void PresenceBench::onText(int user, const QString &text)
{
    if (text.startsWith(u"{\"type\":\"presence\",\"room\":")) {
        onAnswer(user, text);
    } else if (text.startsWith(u"{\"type\":\"joined\"")) {
        onJoined();
    } else if (text.startsWith(u"{\"type\":\"error\"")) {
        fail(QStringLiteral("%1 received %2").arg(userName(user), text));
    } else if (!text.startsWith(u"{\"type\":\"welcome\"") && !text.startsWith(u"{\"type\":\"authenticated\"")) {
        ++m_otherFrames;
    }
}

void PresenceBench::onJoined()
{
    ++m_joined;
    if (m_joined < m_options.presenceUsers) {
        openMore();
        return;
    }
    m_joinNs = m_clock.nsecsElapsed();
    // The joins' presence scripts ran on each node's Redis connection before its `joined`, but
    // another node's may still be on their way: ask until the answer is whole, then measure.
    m_phase = Phase::Settling;
    m_settleStartNs = m_joinNs;
    ask();
}

void PresenceBench::ask()
{
    const int asker = m_asked++ % askerCount();
    m_awaiting = asker;
    m_askedAtNs = m_clock.nsecsElapsed();
    m_sockets[size_t(asker)]->sendTextMessage(QStringLiteral("{\"type\":\"presence\",\"room\":%1}").arg(quoted(Room)));
}

PresenceBench::Answer PresenceBench::check(const QString &text) const
{
    const QJsonObject answer = QJsonDocument::fromJson(text.toUtf8()).object();
    const QJsonValue users = answer.value(QLatin1String("users"));
    if (answer.value(QLatin1String("room")).toString() != Room || !users.isArray())
        return {-1, QStringLiteral("not a presence answer for %1: %2").arg(Room, text.left(200))};
    Answer checked {int(users.toArray().size()), {}};
    for (const QJsonValue &user : users.toArray()) {
        if (user[QLatin1String("connections")].toInt() != 1)
            return {checked.users,
                    QStringLiteral("%1 is listed with %2 connections, not 1")
                        .arg(user[QLatin1String("user")].toString())
                        .arg(user[QLatin1String("connections")].toInt())};
    }
    if (checked.users != m_options.presenceUsers)
        checked.fault
            = QStringLiteral("the answer lists %1 users, not %2").arg(checked.users).arg(m_options.presenceUsers);
    return checked;
}

void PresenceBench::onAnswer(int user, const QString &text)
{
    const qint64 now = m_clock.nsecsElapsed();
    if (user != m_awaiting) {
        fail(QStringLiteral("%1 received a presence answer it did not ask for").arg(userName(user)));
        return;
    }
    m_awaiting = -1;
    const Answer answer = check(text);
    if (m_phase == Phase::Settling) {
        if (answer.fault.isEmpty()) {
            m_settleNs = now - m_settleStartNs;
            m_phase = Phase::Querying;
            ask();
        } else if (now - m_settleStartNs > qint64(SettleTimeoutMs) * 1000000) {
            fail(QStringLiteral("all %1 users joined, but %2 s later %3")
                     .arg(m_options.presenceUsers)
                     .arg(SettleTimeoutMs / 1000)
                     .arg(answer.fault));
        } else {
            QTimer::singleShot(SettleRetryMs, this, &PresenceBench::ask);
        }
        return;
    }
    if (m_phase != Phase::Querying)
        return;
    if (!answer.fault.isEmpty()) {
        fail(QStringLiteral("query %1, asked by %2 on %3: %4")
                 .arg(m_answered + 1)
                 .arg(userName(user), urlOf(user).toString(QUrl::RemoveQuery), answer.fault));
        return;
    }
    m_latency.record(now - m_askedAtNs);
    m_answerBytes = text.toUtf8().size();
    m_answerUsers = answer.users;
    if (++m_answered < m_options.presenceQueries)
        ask();
    else
        startIdleWindow();
}

void PresenceBench::startIdleWindow()
{
    m_phase = Phase::Idle;
    if (!m_redis) {
        m_phase = Phase::Done;
        emit finished(result());
        return;
    }
    readStats([this](const CommandStats &before) {
        m_windowStartNs = m_clock.nsecsElapsed();
        m_serverCpuStart = ProcessSampler::cpuSeconds(m_options.pids);
        QTimer::singleShot(int(m_options.seconds * 1000), this, [this, before] {
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
    if (m_phase == Phase::Done)
        return;
    if (!m_options.pids.isEmpty())
        m_serverCpuSeconds = ProcessSampler::cpuSeconds(m_options.pids) - m_serverCpuStart;
    m_refresh = refreshResult(after.since(before));
    m_phase = Phase::Done;
    emit finished(result());
}

QJsonObject PresenceBench::refreshResult(const CommandStats &delta) const
{
    const double window = ms(m_clock.nsecsElapsed() - m_windowStartNs) / 1000;
    const double period = m_options.presenceTtlSeconds / 3;
    const double perTenThousand = 10000.0 / m_options.presenceUsers;
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
        {"evalsha_ms_per_second", double(evalsha.usec) / 1000 / window},
        {"evalsha_ms_per_call", evalsha.calls ? double(evalsha.usec) / 1000 / double(evalsha.calls) : 0.0},
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
    for (int user = 0; user < m_options.presenceUsers; ++user)
        typed += isTyped(user);
    QJsonObject result {
        {"label", m_options.label},
        {"mode", "presence"},
        {"nodes", int(m_options.urls.size())},
        {"users", m_options.presenceUsers},
        {"typed_users", typed},
        {"room_mode_users", m_options.presenceUsers - typed},
        {"join_seconds", ms(m_joinNs) / 1000},
        {"other_frames", double(m_otherFrames)},
        {"settle_ms", ms(m_settleNs)},
        {"queries", m_answered},
        {"askers", askerCount()},
        {"answer_users", m_answerUsers},
        {"answer_bytes", double(m_answerBytes)},
        {"query_ms",
         QJsonObject {{"p50", ms(m_latency.quantileNs(0.50))},
                      {"p99", ms(m_latency.quantileNs(0.99))},
                      {"max", ms(m_latency.maxNs())}}},
    };
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
    m_phase = Phase::Done;
    emit failed(message);
}
