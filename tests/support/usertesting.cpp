#include "usertesting.h"

#include "node/tokenverifier.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>

using fanout::TokenVerifier;

namespace usertesting {

namespace {

/// Frames of `type` that answer a request. Presence answers and watch_presence events share the
/// type "presence": only the events carry an "event".
QList<QJsonObject> answersOf(const TestClient &client, const QString &type)
{
    QList<QJsonObject> answers = client.ofType(type);
    answers.removeIf([](const QJsonObject &frame) { return frame.contains(QLatin1String("event")); });
    return answers;
}

}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray tokenOf(const QString &user, std::optional<qint64> expSeconds, const QByteArray &key)
{
    QJsonObject claims {{"sub", user}};
    if (expSeconds)
        claims.insert("exp", double(*expSeconds));
    return TokenVerifier::sign(key, claims);
}

QString roomFrame(const char *type, const QString &room)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonObject {{"type", type}, {"room", room}}).toJson(QJsonDocument::Compact));
}

QJsonObject ask(TestClient &client, const QString &request, const QString &answerType)
{
    const qsizetype before = answersOf(client, answerType).size();
    client.send(request);
    if (!QTest::qWaitFor([&] { return answersOf(client, answerType).size() > before; }, 5000))
        return {};
    return answersOf(client, answerType).at(before);
}

QStringList presenceCounts(TestClient &client, const QString &room)
{
    QStringList counts;
    const QJsonObject answer = ask(client, roomFrame("presence", room), QStringLiteral("presence"));
    for (const QJsonValue &user : answer.value("users").toArray()) {
        counts.append(user["user"].toString() + QLatin1Char(':') + QString::number(user["connections"].toInteger()));
    }
    return counts;
}

bool UserFleet::startFleet(int count, const QStringList &extra, bool withSecret)
{
    m_nodes.clear();
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<NodeProcess>();
        QStringList arguments {"--host",  "127.0.0.1",         "--port",    "0",
                               "--redis", m_redis.urlString(), "--node-id", QStringLiteral("n%1").arg(i)};
        if (withSecret)
            arguments += {"--token-secret", QString::fromLatin1(Secret)};
        if (!node->start(arguments + extra)) {
            qWarning("%s", qPrintable(node->errorString()));
            return false;
        }
        m_nodes.push_back(std::move(node));
    }
    return true;
}

QUrl UserFleet::typedUrl(int node, const QByteArray &token) const
{
    QUrl url = m_nodes.at(size_t(node))->url();
    url.setPath(QStringLiteral("/rooms"));
    if (!token.isEmpty())
        url.setQuery(QStringLiteral("token=") + QString::fromLatin1(token));
    return url;
}

TestClient *UserFleet::connectTyped(const QUrl &url)
{
    auto client = std::make_unique<TestClient>();
    if (!client->open(url) || !QTest::qWaitFor([&] { return !client->ofType("welcome").isEmpty(); }, 5000))
        return nullptr;
    m_clients.push_back(std::move(client));
    return m_clients.back().get();
}

TestClient *UserFleet::connectUser(int node, const QString &user, const QStringList &rooms)
{
    TestClient *client = connectTyped(typedUrl(node, tokenOf(user)));
    if (!client || !QTest::qWaitFor([client] { return !client->ofType("authenticated").isEmpty(); }, 5000))
        return nullptr;
    for (const QString &room : rooms) {
        if (!join(client, room))
            return nullptr;
    }
    return client;
}

bool UserFleet::join(TestClient *client, const QString &room)
{
    const auto joined = [client, room] {
        const QList<QJsonObject> acks = client->ofType("joined");
        return std::count_if(acks.begin(), acks.end(), [&room](const QJsonObject &ack) { return ack["room"] == room; });
    };
    const qsizetype before = joined();
    client->send(roomFrame("join", room));
    return QTest::qWaitFor([&] { return joined() > before; }, 5000);
}

}
