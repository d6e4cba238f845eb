#pragma once

#include <cstddef>
#include <vector>

namespace fanout {

/// The simulated load balancer in front of the fleet: picks the node a (re)connecting client
/// lands on, among the nodes that are up.
class LoadBalancer
{
public:
    enum class Policy {
        RoundRobin,
        LeastConnections
    };

    explicit LoadBalancer(Policy policy = Policy::RoundRobin) : m_policy(policy) { }

    /// Returns the chosen node, or -1 when none is up. Ties go to the lowest index.
    int pick(const std::vector<bool> &up, const std::vector<int> &connections);

private:
    Policy m_policy;
    int m_next = 0;
};

}
