#pragma once

#include "envelope.h"

#include <QByteArrayView>

#include <optional>

namespace fanout {

/// A validating scanner for the envelopes on the bus. It reads the common case (no escapes in
/// the envelope's own strings, a compact payload) without building a QJsonDocument and gives up
/// (nothing) on anything else, which then goes to the general decoder. It checks JSON syntax
/// but not UTF-8: the caller does.
class EnvelopeScanner
{
public:
    explicit EnvelopeScanner(QByteArrayView text) : m_s(text.data()), m_n(text.size()) { }

    std::optional<Envelope> scan();

private:
    /// Stores one member's raw value; false when the envelope must go to the general decoder.
    bool store(QByteArrayView key, QByteArrayView raw, Envelope *envelope, bool *hasPayload) const;
    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    qsizetype skipSpace(qsizetype p) const;
    qsizetype spaceInside(qsizetype p);
    qsizetype string(qsizetype p);
    qsizetype digits(qsizetype p) const;
    qsizetype number(qsizetype p) const;
    qsizetype literal(qsizetype p, QByteArrayView word) const;
    qsizetype value(qsizetype p, int depth);
    qsizetype container(qsizetype p, int depth);

    static constexpr int MaxDepth = 256;
    const char *m_s;
    qsizetype m_n;
    bool m_escaped = false;
    bool m_spaced = false;
};

}
