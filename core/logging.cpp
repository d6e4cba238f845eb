#include "logging.h"

namespace fanout {
Q_LOGGING_CATEGORY(lcBroker, "fanout.broker", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRedis, "fanout.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNode, "fanout.node", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransport, "fanout.transport", QtInfoMsg)
}
