#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace fanout {

/// The hash slot of a key or shard channel on a Redis Cluster: CRC16 (XMODEM) of its hash tag,
/// or of the whole name without one, modulo 16384. A hash tag is the text between the first `{`
/// and the first `}` after it, when that text is not empty. Keys that must live beside a channel
/// (a room's history and presence, which a script touches together with SPUBLISH) are named with
/// keyBeside(), on a single server too, so the names are the same everywhere.
class HashSlot
{
public:
    static constexpr int Count = 16384;

    static quint16 of(QByteArrayView name);
    /// The part of name that decides its slot: its hash tag, or the whole name.
    static QByteArrayView hashedPart(QByteArrayView name);
    /// A key in the slot of `channel`, ending in `suffix` (such as ":history"): `{channel}suffix`
    /// for a channel without a hash tag, `channel + suffix` for one that has its own. A channel
    /// with a `}` but no hash tag has no such key; it gets `{channel}suffix` too, which a single
    /// server takes and a Cluster refuses (the script touching both fails with a cross-slot error).
    static QByteArray keyBeside(const QByteArray &channel, const char *suffix);
};

}
