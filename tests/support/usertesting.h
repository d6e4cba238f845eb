#pragma once

// What the tests of users on fanout-node processes share (tst_presence, tst_auth): the token
// secret, signed tokens, typed frames and questions, and a fleet of nodes on one redis-server.

#include "nodeprocess.h"
#include "redisserver.h"
#include "testclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

namespace usertesting {

inline const QByteArray Secret = "users test secret";
inline const QString Room = QStringLiteral("team");

qint64 nowMs();

/// A token of `user`, expiring at `expSeconds` (never without), signed with `key`.
QByteArray tokenOf(const QString &user, std::optional<qint64> expSeconds = {}, const QByteArray &key = Secret);

QString roomFrame(const char *type, const QString &room);

/// Sends `request` and returns the first `answerType` frame after it; an empty object when none
/// came in time.
QJsonObject ask(TestClient &client, const QString &request, const QString &answerType);

/// The presence of `room` as `client` is told it, "user:connections" in the answer's order.
QStringList presenceCounts(TestClient &client, const QString &room);

/// fanout-node processes sharing one redis-server, and the typed connections a test opened to
/// them. A test class derives from it beside QObject: its initTestCase() starts m_redis, its
/// init() flushes it and its cleanup() clears m_clients and m_nodes.
class UserFleet
{
protected:
    /// Starts `count` nodes n0, n1... on m_redis in place of those before, with Secret as their
    /// --token-secret unless `withSecret` is false; false with a warning when one did not start.
    bool startFleet(int count, const QStringList &extra = {}, bool withSecret = true);
    QUrl typedUrl(int node, const QByteArray &token = {}) const;
    /// A typed connection to `node`, authenticated as `user` with a token on its URL, in `rooms`;
    /// nullptr when that failed.
    TestClient *connectUser(int node, const QString &user, const QStringList &rooms = {});
    /// A typed connection to `url` that has received its welcome; nullptr when that failed.
    TestClient *connectTyped(const QUrl &url);
    bool join(TestClient *client, const QString &room);

    RedisServer m_redis;
    std::vector<std::unique_ptr<NodeProcess>> m_nodes;
    std::vector<std::unique_ptr<TestClient>> m_clients;
};

}
