#include "session.h"

namespace fanout {

Session::~Session() = default;

}
