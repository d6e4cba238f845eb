#include "lossledger.h"

#include <QHash>

#include <algorithm>

namespace {

bool offlineAt(const ClientGroup::Result::ClientLog &member, qint64 ns)
{
    return std::any_of(member.offline.begin(), member.offline.end(),
                       [ns](const std::pair<qint64, qint64> &span) { return ns >= span.first && ns < span.second; });
}

}

std::vector<LossLedger::Loss> LossLedger::tally(const ClientPlacement &placement,
                                                const std::vector<ClientGroup::Result::ClientLog> &logs)
{
    QHash<int, std::vector<const ClientGroup::Result::ClientLog *>> rooms;
    for (const ClientGroup::Result::ClientLog &log : logs)
        rooms[placement.room(log.index)].push_back(&log);
    std::vector<Loss> losses;
    for (const std::vector<const ClientGroup::Result::ClientLog *> &members : std::as_const(rooms)) {
        for (const ClientGroup::Result::ClientLog *sender : members) {
            for (size_t sequence = 0; sequence < sender->sentAtNs.size(); ++sequence) {
                const qint64 publishedNs = sender->sentAtNs[sequence];
                if (publishedNs < 0)
                    continue; // outside the measured window
                const quint64 key = (quint64(sender->index) << 32) | quint64(sequence);
                for (const ClientGroup::Result::ClientLog *member : members) {
                    if (member->seen.contains(key))
                        continue;
                    losses.push_back(
                        {publishedNs, offlineAt(*member, publishedNs) ? Reason::ReceiverOffline : Reason::Dropped});
                }
            }
        }
    }
    std::sort(losses.begin(), losses.end(), [](const Loss &a, const Loss &b) { return a.publishedNs < b.publishedNs; });
    return losses;
}

QString LossLedger::name(Reason reason)
{
    switch (reason) {
    case Reason::ReceiverOffline:
        return QStringLiteral("receiver_offline");
    case Reason::Dropped:
        return QStringLiteral("dropped");
    }
    return {};
}
