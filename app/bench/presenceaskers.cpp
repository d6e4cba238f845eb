#include "presenceaskers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>

namespace {

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

}

PresenceAskers::PresenceAskers(const BenchOptions &options) : m_users(options), m_queries(options.presenceQueries)
{
    m_sockets.assign(size_t(m_users.askerCount()), nullptr);
}

PresenceAskers::~PresenceAskers()
{
    for (QWebSocket *socket : m_sockets) {
        if (socket) {
            socket->disconnect(this);
            socket->abort();
        }
    }
}

void PresenceAskers::open()
{
    m_clock.start();
    for (int asker = 0; asker < m_users.askerCount(); ++asker) {
        m_sockets[size_t(asker)] = m_users.open(asker, this,
                                                {[] {}, [this, asker](const QString &text) { onText(asker, text); },
                                                 [this](const QString &fault) { fail(fault); }});
    }
}

void PresenceAskers::onText(int asker, const QString &text)
{
    switch (PresenceUsers::kindOf(text)) {
    case PresenceUsers::Frame::Answer:
        onAnswer(asker, text);
        break;
    case PresenceUsers::Frame::Joined:
        if (++m_joined == m_users.askerCount())
            emit joined();
        break;
    case PresenceUsers::Frame::Error:
        fail(QStringLiteral("%1 received %2").arg(PresenceUsers::name(asker), text));
        break;
    case PresenceUsers::Frame::Greeting:
        break;
    case PresenceUsers::Frame::Other:
        ++m_eventFrames;
        // Nobody leaves during the bench: a user reported gone lost its entry while connected.
        if (text.startsWith(u"{\"type\":\"presence_left\""))
            ++m_presenceLeft;
        break;
    }
}

void PresenceAskers::queryAll()
{
    m_settleStartNs = m_clock.nsecsElapsed();
    ask();
}

void PresenceAskers::ask()
{
    const int asker = m_asked++ % m_users.askerCount();
    m_awaiting = asker;
    m_askedAtNs = m_clock.nsecsElapsed();
    m_sockets[size_t(asker)]->sendTextMessage(PresenceUsers::presenceQuery());
}

PresenceAskers::Answer PresenceAskers::check(const QString &text) const
{
    const QJsonObject answer = QJsonDocument::fromJson(text.toUtf8()).object();
    const QJsonValue usersValue = answer.value(QLatin1String("users"));
    if (answer.value(QLatin1String("room")).toString() != PresenceUsers::Room || !usersValue.isArray())
        return {-1, QStringLiteral("not a presence answer for %1: %2").arg(PresenceUsers::Room, text.left(200))};
    const QJsonArray users = usersValue.toArray();
    for (qsizetype i = 0; i < users.size(); ++i) {
        const QJsonObject user = users.at(i).toObject();
        const int connections = user.value(QLatin1String("connections")).toInt();
        if (connections != 1)
            return {int(users.size()),
                    QStringLiteral("%1 is listed with %2 connections, not 1")
                        .arg(user.value(QLatin1String("user")).toString())
                        .arg(connections)};
    }
    if (users.size() != m_users.count())
        return {int(users.size()),
                QStringLiteral("the answer lists %1 users, not %2").arg(users.size()).arg(m_users.count())};
    return {int(users.size()), {}};
}

void PresenceAskers::onAnswer(int asker, const QString &text)
{
    const qint64 now = m_clock.nsecsElapsed();
    if (asker != m_awaiting) {
        fail(QStringLiteral("%1 received a presence answer it did not ask for").arg(PresenceUsers::name(asker)));
        return;
    }
    m_awaiting = -1;
    const Answer answer = check(text);
    if (m_settling) {
        if (m_firstAnswerUsers < 0)
            m_firstAnswerUsers = answer.users;
        if (answer.fault.isEmpty()) {
            m_settleNs = now - m_settleStartNs;
            m_settling = false;
            ask();
        } else if (now - m_settleStartNs > qint64(SettleTimeoutMs) * 1000000) {
            fail(QStringLiteral("all %1 users joined, but %2 s later %3; the askers received %4 presence_left "
                                "events, though no user left")
                     .arg(m_users.count())
                     .arg(SettleTimeoutMs / 1000)
                     .arg(answer.fault)
                     .arg(m_presenceLeft));
        } else {
            QTimer::singleShot(SettleRetryMs, this, &PresenceAskers::ask);
        }
        return;
    }
    if (!answer.fault.isEmpty()) {
        fail(QStringLiteral("query %1, asked by %2 on %3: %4; the askers received %5 presence_left events, though "
                            "no user left")
                 .arg(m_answered + 1)
                 .arg(PresenceUsers::name(asker), m_users.displayUrl(asker), answer.fault)
                 .arg(m_presenceLeft));
        return;
    }
    m_latency.record(now - m_askedAtNs);
    m_answerBytes = text.toUtf8().size();
    m_answerUsers = answer.users;
    if (++m_answered < m_queries) {
        ask();
        return;
    }
    emit finished({
        {"queries", m_answered},
        {"askers", m_users.askerCount()},
        {"first_answer_users", m_firstAnswerUsers},
        {"settle_ms", ms(m_settleNs)},
        {"answer_users", m_answerUsers},
        {"answer_bytes", double(m_answerBytes)},
        {"query_ms",
         QJsonObject {{"p50", ms(m_latency.quantileNs(0.50))},
                      {"p99", ms(m_latency.quantileNs(0.99))},
                      {"max", ms(m_latency.maxNs())}}},
        {"asker_event_frames", double(m_eventFrames)},
        {"presence_left_events", double(m_presenceLeft)},
    });
}

void PresenceAskers::fail(const QString &message)
{
    if (m_failed)
        return;
    m_failed = true;
    emit failed(message);
}
