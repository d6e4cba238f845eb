#pragma once

#include "clusterslotmap.h"
#include "redisconnection.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace fanout {

/// Where a ClusterBroker learns its slot map: CLUSTER SHARDS (CLUSTER SLOTS on a server without
/// it) asked of a master connection the broker already has, or, while none answers, of the URL's
/// seed nodes in turn (the next one at once when one fails, a pause after the last). One question
/// at a time: one asked meanwhile is asked once the answer is in. A map that does not cover every
/// slot (a cluster forming, or failing over) is asked for again after a pause.
class ClusterSlotSource : public QObject
{
    Q_OBJECT
public:
    /// A ready connection to a cluster node and that node's host (for endpoints it leaves out).
    struct Asker {
        RedisConnection *connection = nullptr;
        QString host;
    };
    static constexpr int RetryMs = 200;

    /// `findAsker` names a ready master connection, or none; seeds are then opened with
    /// `clientName`.
    ClusterSlotSource(const RedisUrl &url, const QString &clientName, std::function<Asker()> findAsker,
                      QObject *parent = nullptr);
    ~ClusterSlotSource() override;

    /// Asks for the map, as above.
    void refresh();
    /// Asks `preferred` (the node that knows best) when it is ready, else as above.
    void refresh(const Asker &preferred);
    /// Asks again after delayMs unless an answer comes first.
    void refreshLater(int delayMs);
    /// Closes the seed and forgets any question: the link is cut.
    void stop();
    /// Closes the seed connection: every master answers now, and asks from here on.
    void releaseSeed() { closeSeed(); }

signals:
    void mapReceived(const fanout::ClusterSlotMap &map);
    void errorOccurred(const QString &message);

private:
    void ask(const Asker &asker, bool shards);
    void onAnswer(const Asker &asker, bool shards, const RedisReply &reply);
    void openSeed();
    void onSeedFailed();
    void closeSeed();
    const RedisUrl::Address &seedAddress() const;

    RedisUrl m_url;
    QString m_clientName;
    std::function<Asker()> m_findAsker;
    RedisConnection *m_seed = nullptr;
    qsizetype m_seedIndex = 0;
    QTimer m_nextSeed;
    QTimer m_retry;
    bool m_asking = false;
    bool m_askAgain = false;
    bool m_stopped = false;
};

}
