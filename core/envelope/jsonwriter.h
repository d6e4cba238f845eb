#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace fanout {

/// The writing half of JsonStringify: values laid out as JavaScript's JSON.stringify writes them.
class JsonWriter
{
public:
    struct Member {
        QString key;
        QByteArray value; ///< already written
    };

    /// `text` quoted, with `"`, `\`, control characters and lone surrogates escaped.
    static void appendString(QByteArray &out, const QString &text);
    /// The members in JavaScript's order: array-index keys first, ascending, then the others
    /// in the order given.
    static void appendObject(QByteArray &out, const QList<Member> &members);
    /// A double as JavaScript's Number::toString writes it (null for a non-finite one).
    static QByteArray number(double value);
};

}
