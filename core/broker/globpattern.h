#pragma once

#include <QByteArrayView>

namespace fanout {

/// Redis glob matching (as in PUBSUB CHANNELS and PSUBSCRIBE): *, ?, [abc], [^a-z], and \ escapes.
class GlobPattern
{
public:
    static bool matches(QByteArrayView pattern, QByteArrayView text);
};

}
