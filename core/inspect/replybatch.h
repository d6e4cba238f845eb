#pragma once

#include "redis/readonlycommands.h"
#include "redis/redisconnection.h"

#include <QList>
#include <QPointer>

#include <algorithm>
#include <functional>
#include <memory>

namespace fanout {

/// The commands of one stage of a refresh and the count of their replies. Every command goes
/// through send(), which counts it itself, and whenAllReplied() moves on once the last reply is
/// in, however many commands the stage needed and on however many connections (a Cluster's
/// masters). In read-only mode a command that is not a read is answered with the refusal instead
/// of being sent.
///
/// A copy is a handle on the same batch, so a stage can go out of scope while its replies are
/// on their way. A batch that lost one of its connections (or had a command refused because it
/// was down) ends with `abandoned` instead of `next`; after abandon() nothing of it runs any more.
class ReplyBatch
{
public:
    explicit ReplyBatch(bool readOnly) : m_readOnly(readOnly), m_progress(std::make_shared<Progress>()) { }

    void send(RedisConnection *connection, const QList<QByteArray> &args, RedisConnection::ReplyHandler handler)
    {
        if (m_readOnly && !ReadOnlyCommands::isAllowed(args)) {
            handler(RedisReply::makeError(ReadOnlyCommands::refusal()));
            return;
        }
        if (!m_progress->connections.contains(connection))
            m_progress->connections.append(connection);
        ++m_progress->outstanding;
        const auto counted = [progress = m_progress, handler = std::move(handler)](const RedisReply &reply) {
            if (progress->abandoned)
                return;
            handler(reply);
            --progress->outstanding;
            progress->finishIfComplete();
        };
        const bool sent = connection->send(args, counted);
        if (!sent) {
            --m_progress->outstanding;
            m_progress->connectionDown = true;
        }
    }

    /// Ends the batch: no more commands, but from the handlers of its own replies. `next` runs
    /// once every reply is in (at once when none is pending), or `abandoned` when a connection it
    /// used went down meanwhile.
    void whenAllReplied(std::function<void()> next, std::function<void()> abandoned)
    {
        m_progress->next = [progress = m_progress.get(), next = std::move(next), abandoned = std::move(abandoned)] {
            const bool down = progress->connectionDown
                || std::any_of(progress->connections.cbegin(), progress->connections.cend(),
                               [](const QPointer<RedisConnection> &connection) {
                                   return !connection || !connection->isReady();
                               });
            if (down)
                abandoned();
            else
                next();
        };
        m_progress->finishIfComplete();
    }

    void abandon() { m_progress->abandoned = true; }

private:
    struct Progress {
        int outstanding = 0;
        bool connectionDown = false;
        bool abandoned = false;
        QList<QPointer<RedisConnection>> connections; ///< every connection a command went out on
        std::function<void()> next;

        void finishIfComplete()
        {
            if (outstanding == 0 && next && !abandoned)
                std::exchange(next, {})();
        }
    };

    bool m_readOnly;
    std::shared_ptr<Progress> m_progress;
};

}
