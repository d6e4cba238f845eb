#include "presence.h"

#include "envelope/jsontext.h"

namespace fanout {

QByteArray PresenceChange::eventFor(const PresenceEntry &entry) const
{
    QByteArray event = eventFormat;
    event.replace("$user", JsonText::quote(entry.user));
    event.replace("$node", JsonText::quote(entry.node));
    event.replace("$ts", QByteArray::number(nowMs));
    return event;
}

}
