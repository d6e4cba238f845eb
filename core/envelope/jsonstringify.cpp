#include "jsonstringify.h"

#include "jsonrewriter.h"

namespace fanout {

namespace {

/// `text` rewritten; with `key`, member `key` of its outermost object instead of the whole value.
std::optional<QByteArray> rewrite(QByteArrayView text, const std::optional<QString> &key, QString *error)
{
    const auto failed = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!text.isValidUtf8())
        return failed(QStringLiteral("not UTF-8"));
    JsonRewriter parser(text);
    if (key)
        parser.capture(*key);
    QByteArray out;
    if (!parser.document(out))
        return failed(parser.error());
    return key ? parser.captured() : std::optional<QByteArray>(std::move(out));
}

}

std::optional<QByteArray> JsonStringify::value(QByteArrayView text, QString *error)
{
    return rewrite(text, std::nullopt, error);
}

std::optional<QByteArray> JsonStringify::member(QByteArrayView text, QByteArrayView key, QString *error)
{
    return rewrite(text, QString::fromUtf8(key), error);
}

QByteArray JsonStringify::number(double value)
{
    return JsonWriter::number(value);
}

}
