#include "sentinelresolver.h"

#include "logging.h"

namespace fanout {

namespace {

const QByteArray SwitchMasterChannel = "+switch-master";

}

SentinelResolver::SentinelResolver(const RedisUrl &url, const QString &clientName, QObject *parent)
    : QObject(parent), m_url(url), m_clientName(clientName), m_needsCredentials(url.sentinels.size(), false)
{
    m_questionTimeout.setSingleShot(true);
    m_questionTimeout.setInterval(QueryTimeoutMs);
    connect(&m_questionTimeout, &QTimer::timeout, this, [this] {
        settle(
            m_questions,
            RedisReply::makeError(QByteArrayLiteral("no answer within ") + QByteArray::number(QueryTimeoutMs) + " ms"));
    });
}

SentinelResolver::~SentinelResolver()
{
    // The connections fail their pending handlers as they go: no question is open any more.
    ++m_questions;
    m_asking = -1;
    qDeleteAll(findChildren<RedisConnection *>(Qt::FindDirectChildrenOnly));
}

void SentinelResolver::resolve()
{
    if (m_watchers.isEmpty()) {
        for (qsizetype index = 0; index < m_url.sentinels.size(); ++index)
            watch(index);
    }
    if (m_asking >= 0)
        return;
    m_faults.clear();
    ask(0);
}

void SentinelResolver::ask(qsizetype index)
{
    m_asking = index;
    const quint64 question = ++m_questions;
    const RedisUrl url = sentinelUrl(index);
    m_askerHasCredentials = !url.password.isEmpty();
    m_asker = new RedisConnection(url, m_clientName, RedisConnection::Mode::Command, this);
    connect(m_asker, &RedisConnection::ready, this, [this, question] {
        m_asker->send({"SENTINEL", "get-master-addr-by-name", m_url.masterName.toUtf8()},
                      [this, question](const RedisReply &answer) { settleLater(question, answer); });
    });
    connect(m_asker, &RedisConnection::errorOccurred, this, [this, question](const QString &message) {
        settleLater(question, RedisReply::makeError(message.toUtf8()));
    });
    m_questionTimeout.start();
    m_asker->open();
}

void SentinelResolver::settleLater(quint64 question, const RedisReply &answer)
{
    if (question != m_questions)
        return;
    QMetaObject::invokeMethod(
        this, [this, question, answer] { settle(question, answer); }, Qt::QueuedConnection);
}

void SentinelResolver::settle(quint64 question, const RedisReply &answer)
{
    if (question != m_questions || m_asking < 0)
        return;
    const qsizetype index = m_asking;
    m_questionTimeout.stop();
    // Deleted, not closed: a question is no connection lost. Settling runs on its own (queued or
    // on the timer), never inside the connection's signals.
    ++m_questions;
    delete std::exchange(m_asker, nullptr);
    if (answer.isError() && asksForCredentials(answer.string, m_askerHasCredentials)) {
        authenticate(index);
        ask(index);
        return;
    }
    const QString fault = answerFault(index, answer);
    if (fault.isEmpty()) {
        m_asking = -1;
        const RedisUrl::Address primary {QString::fromUtf8(answer.elements.at(0).string),
                                         answer.elements.at(1).string.toUShort()};
        qCDebug(lcRedis).noquote() << m_clientName << "primary of" << m_url.masterName << "at" << primary.toString()
                                   << "says sentinel" << m_url.sentinels.at(index).toString();
        emit resolved(primary);
        return;
    }
    m_faults.append(QStringLiteral("sentinel %1: %2").arg(m_url.sentinels.at(index).toString(), fault));
    if (index + 1 < m_url.sentinels.size()) {
        ask(index + 1);
        return;
    }
    m_asking = -1;
    emit failed(QStringLiteral("%1: cannot find the primary of \"%2\": %3")
                    .arg(m_url.toDisplayString(), m_url.masterName, m_faults.join(QLatin1String("; "))));
}

QString SentinelResolver::answerFault(qsizetype index, const RedisReply &answer) const
{
    if (answer.type == RedisReply::Type::Nil)
        return QStringLiteral("unknown master name");
    if (answer.isError()) {
        // A failed connection names its URL, which the fault already does.
        const QString prefix = sentinelUrl(index).toDisplayString() + QLatin1String(": ");
        const QString message = QString::fromUtf8(answer.string);
        return message.startsWith(prefix) ? message.mid(prefix.size()) : message;
    }
    if (answer.type == RedisReply::Type::Array && answer.elements.size() == 2
        && answer.elements.at(0).type == RedisReply::Type::String && !answer.elements.at(0).string.isEmpty()
        && answer.elements.at(1).type == RedisReply::Type::String && answer.elements.at(1).string.toUShort() != 0)
        return {};
    return QStringLiteral("unexpected answer %1").arg(answer.toDisplayString());
}

QString SentinelResolver::roleFault(const RedisReply &reply, const RedisUrl::Address &address) const
{
    const bool listed = reply.type == RedisReply::Type::Array && !reply.elements.isEmpty();
    const QString role = listed ? QString::fromUtf8(reply.elements.first().string) : reply.toDisplayString();
    if (role == QLatin1String("master"))
        return {};
    return QStringLiteral("%1, which the sentinels named the primary of \"%2\", answers ROLE with \"%3\", not "
                          "\"master\": asking the sentinels again")
        .arg(address.toString(), m_url.masterName, role);
}

void SentinelResolver::watch(qsizetype index)
{
    auto *watcher = new RedisConnection(sentinelUrl(index), m_clientName, RedisConnection::Mode::Subscriber, this);
    watcher->setProbeIntervalMs(WatchProbeIntervalMs);
    connect(watcher, &RedisConnection::ready, this, [watcher] { watcher->send({"SUBSCRIBE", SwitchMasterChannel}); });
    connect(watcher, &RedisConnection::pushReceived, this, &SentinelResolver::onSwitchMaster);
    connect(watcher, &RedisConnection::errorOccurred, this, [this, index](const QString &message) {
        if (asksForCredentials(message.toUtf8(), m_needsCredentials.at(index)))
            QMetaObject::invokeMethod(
                this, [this, index] { authenticate(index); }, Qt::QueuedConnection);
    });
    if (index < m_watchers.size())
        m_watchers[index] = watcher;
    else
        m_watchers.append(watcher);
    watcher->open();
}

void SentinelResolver::onSwitchMaster(const RedisReply &push)
{
    // ["message", "+switch-master", "<master> <old host> <old port> <new host> <new port>"]
    if (push.type != RedisReply::Type::Array || push.elements.size() != 3 || push.elements.at(0).string != "message"
        || push.elements.at(1).string != SwitchMasterChannel)
        return;
    const QByteArray &payload = push.elements.at(2).string;
    const QList<QByteArray> fields = payload.split(' ');
    if (fields.size() != 5 || fields.at(0) != m_url.masterName.toUtf8() || fields.at(4).toUShort() == 0
        || payload == m_lastSwitch)
        return; // another master's, or the same news from another sentinel
    m_lastSwitch = payload;
    const RedisUrl::Address primary {QString::fromUtf8(fields.at(3)), fields.at(4).toUShort()};
    qCInfo(lcRedis).noquote() << "the sentinels moved the primary of" << m_url.masterName << "from"
                              << RedisUrl::Address {QString::fromUtf8(fields.at(1)), fields.at(2).toUShort()}.toString()
                              << "to" << primary.toString();
    emit primaryMoved(primary);
}

bool SentinelResolver::asksForCredentials(const QByteArray &error, bool credentialsGiven) const
{
    return error.contains("NOAUTH") && !credentialsGiven && !m_url.password.isEmpty();
}

void SentinelResolver::authenticate(qsizetype index)
{
    if (m_needsCredentials.at(index))
        return;
    qCInfo(lcRedis).noquote() << m_clientName << "sentinel" << m_url.sentinels.at(index).toString()
                              << "requires authentication: using the URL's credentials";
    m_needsCredentials[index] = true;
    if (index < m_watchers.size()) {
        delete m_watchers.at(index); // never inside its own signals: authenticating runs queued
        watch(index);
    }
}

RedisUrl SentinelResolver::sentinelUrl(qsizetype index) const
{
    RedisUrl url;
    url.host = m_url.sentinels.at(index).host;
    url.port = m_url.sentinels.at(index).port;
    url.tls = m_url.tls;
    url.tlsSettings = m_url.tlsSettings;
    if (m_needsCredentials.at(index)) {
        url.user = m_url.user;
        url.password = m_url.password;
    }
    return url;
}

}
