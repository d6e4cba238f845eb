#include "globpattern.h"

namespace fanout {

namespace {

bool matchClass(QByteArrayView pattern, qsizetype &p, char c)
{
    ++p; // past '['
    bool negate = false;
    if (p < pattern.size() && pattern[p] == '^') {
        negate = true;
        ++p;
    }
    bool matched = false;
    while (p < pattern.size() && pattern[p] != ']') {
        if (pattern[p] == '\\' && p + 1 < pattern.size()) {
            ++p;
            matched |= pattern[p] == c;
        } else if (p + 2 < pattern.size() && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
            char low = pattern[p], high = pattern[p + 2];
            if (low > high)
                std::swap(low, high);
            matched |= c >= low && c <= high;
            p += 2;
        } else {
            matched |= pattern[p] == c;
        }
        ++p;
    }
    return negate ? !matched : matched;
}

bool matchFrom(QByteArrayView pattern, qsizetype p, QByteArrayView text, qsizetype t)
{
    while (p < pattern.size()) {
        const char pc = pattern[p];
        if (pc == '*') {
            while (p + 1 < pattern.size() && pattern[p + 1] == '*')
                ++p;
            if (p + 1 == pattern.size())
                return true;
            for (qsizetype start = t; start <= text.size(); ++start) {
                if (matchFrom(pattern, p + 1, text, start))
                    return true;
            }
            return false;
        }
        if (t >= text.size())
            return false;
        if (pc == '?') {
            ++p;
            ++t;
            continue;
        }
        if (pc == '[') {
            if (!matchClass(pattern, p, text[t]))
                return false;
            ++p; // past ']'
            ++t;
            continue;
        }
        char literal = pc;
        if (pc == '\\' && p + 1 < pattern.size())
            literal = pattern[++p];
        if (literal != text[t])
            return false;
        ++p;
        ++t;
    }
    return t == text.size();
}

}

bool GlobPattern::matches(QByteArrayView pattern, QByteArrayView text)
{
    return matchFrom(pattern, 0, text, 0);
}

}
