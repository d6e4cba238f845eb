#include "presence.h"

#include "envelope/jsontext.h"

namespace fanout {

QByteArray PresenceChange::render(const QByteArray &format, const PresenceEntry &entry) const
{
    QByteArray event;
    event.reserve(format.size() + entry.user.size() + entry.node.size() + 16);
    for (qsizetype i = 0; i < format.size(); ++i) {
        const QByteArrayView rest = QByteArrayView(format).sliced(i);
        if (rest.startsWith("$user")) {
            event += JsonText::quote(entry.user);
            i += 4;
        } else if (rest.startsWith("$node")) {
            event += JsonText::quote(entry.node);
            i += 4;
        } else if (rest.startsWith("$ts")) {
            event += QByteArray::number(nowMs);
            i += 2;
        } else {
            event += format.at(i);
        }
    }
    return event;
}

}
