#include "utf8validator.h"

namespace fanout {

bool Utf8Validator::feed(QByteArrayView bytes)
{
    for (const char c : bytes) {
        const auto byte = quint8(c);
        if (m_needed > 0) {
            if (byte < m_low || byte > m_high)
                return false;
            --m_needed;
            m_low = 0x80;
            m_high = 0xbf;
            continue;
        }
        if (byte < 0x80)
            continue;
        // The lead byte says how many continuation bytes follow and, where overlong forms,
        // surrogates or code points past U+10FFFF would start, narrows the first of them.
        if (byte >= 0xc2 && byte <= 0xdf) {
            m_needed = 1;
        } else if (byte >= 0xe0 && byte <= 0xef) {
            m_needed = 2;
            if (byte == 0xe0)
                m_low = 0xa0;
            else if (byte == 0xed)
                m_high = 0x9f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
            m_needed = 3;
            if (byte == 0xf0)
                m_low = 0x90;
            else if (byte == 0xf4)
                m_high = 0x8f;
        } else {
            return false;
        }
    }
    return true;
}

bool Utf8Validator::isValid(QByteArrayView bytes)
{
    Utf8Validator validator;
    return validator.feed(bytes) && validator.isComplete();
}

}
