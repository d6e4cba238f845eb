#pragma once

#include "jsonwriter.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace fanout {

/// The reading half of JsonStringify: parses JSON text and writes each value with JsonWriter as
/// it goes, so a value is read and rewritten in one pass.
class JsonRewriter
{
public:
    explicit JsonRewriter(QByteArrayView text)
        : m_begin(text.data()), m_at(text.data()), m_end(text.data() + text.size())
    { }

    /// The whole text as one value.
    bool document(QByteArray &out);
    QString error() const { return m_error; }
    /// Member `key` of the outermost object, captured while parsing.
    void capture(const QString &key) { m_wanted = key; }
    std::optional<QByteArray> captured() const { return m_captured; }

private:
    bool fail(const char *what);
    void skipSpace();
    bool literal(QByteArrayView word, QByteArray &out);
    bool value(QByteArray &out, int depth);
    bool digits();
    bool number(QByteArray &out);
    bool hex4(char16_t *unit);
    bool string(QString &text);
    bool array(QByteArray &out, int depth);
    bool object(QByteArray &out, int depth);
    bool objectMembers(QList<JsonWriter::Member> &members, QHash<QString, qsizetype> &places, int depth);

    const char *m_begin;
    const char *m_at;
    const char *m_end;
    QString m_error;
    std::optional<QString> m_wanted;
    std::optional<QByteArray> m_captured;
};

}
