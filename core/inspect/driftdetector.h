#pragma once

#include "inspectionsnapshot.h"

namespace fanout {

/// Compares what nodes say they hold (their registry records) with what Redis says their
/// connections hold, and flags what does not add up:
/// - a room with local members on a node but no subscription from it (a lost resubscribe:
///   its clients silently miss every message), per room and as a node's subscription count;
/// - subscriptions no node claims (a leak, or a node that does not register, such as the reference
///   Node.js node);
/// - nodes that vanished or are suspect (no connection left), and subscribers whose output buffer
///   nears the pubsub limit, past which Redis disconnects them and they miss messages.
/// On a Cluster the same rules hold for sharded pub/sub, what nodes use there: the shard channels
/// of every master, and each node's subscribe connections on all masters together.
/// Pure: no network, so every rule is testable on a hand-made snapshot.
class DriftDetector
{
public:
    static std::vector<DriftFinding> detect(const InspectionSnapshot &snapshot);
};

}
