#include "loadbalancer.h"

namespace fanout {

int LoadBalancer::pick(const std::vector<bool> &up, const std::vector<int> &connections)
{
    const int count = int(up.size());
    if (m_policy == Policy::LeastConnections) {
        int best = -1;
        for (int i = 0; i < count; ++i) {
            if (up[std::size_t(i)] && (best < 0 || connections[std::size_t(i)] < connections[std::size_t(best)]))
                best = i;
        }
        return best;
    }
    for (int attempt = 0; attempt < count; ++attempt) {
        const int candidate = (m_next + attempt) % count;
        if (up[std::size_t(candidate)]) {
            m_next = (candidate + 1) % count;
            return candidate;
        }
    }
    return -1;
}

}
