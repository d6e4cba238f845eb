#include "broker.h"

namespace fanout {

void Broker::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state != State::Connected)
        m_subscriptions.clear();
    emit stateChanged(state);
}

}
