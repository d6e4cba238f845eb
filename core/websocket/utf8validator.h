#pragma once

#include <QByteArrayView>

namespace fanout {

/// Checks UTF-8 incrementally, as RFC 6455 asks of text messages (whose characters may be split
/// across fragments): no overlong forms, no surrogates, nothing above U+10FFFF. It fails at the
/// first byte that cannot belong to valid UTF-8, not only at the end.
class Utf8Validator
{
public:
    /// Feeds more bytes; false once the text so far cannot be UTF-8.
    bool feed(QByteArrayView bytes);
    /// Whether the text fed so far ends on a character boundary.
    bool isComplete() const { return m_needed == 0; }
    void reset() { *this = Utf8Validator(); }

    static bool isValid(QByteArrayView bytes);

private:
    int m_needed = 0; ///< continuation bytes still to come
    quint8 m_low = 0x80; ///< the range the next continuation byte must be in
    quint8 m_high = 0xbf;
};

}
