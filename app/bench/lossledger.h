#pragma once

#include "clientgroup.h"
#include "clientplacement.h"

#include <QString>

#include <vector>

/// Every delivery a measured publish owed and that never came, with why: each member of the
/// sender's room owes each of its messages. A member that was offline (between losing its
/// connection and being connected, or joined, again) when the message was published missed it
/// for that; otherwise both ends were connected and the fleet dropped it on the way (a node
/// died with it, or the bus lost it: Redis down, a subscription cut).
class LossLedger
{
public:
    enum class Reason {
        ReceiverOffline,
        Dropped
    };
    struct Loss {
        qint64 publishedNs = 0; ///< on the bench's clock
        Reason reason = Reason::Dropped;
    };

    static std::vector<Loss> tally(const ClientPlacement &placement,
                                   const std::vector<ClientGroup::Result::ClientLog> &logs);
    static QString name(Reason reason);
};
