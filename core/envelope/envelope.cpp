#include "envelope.h"

#include "envelopescanner.h"
#include "jsonstringify.h"
#include "jsontext.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace fanout {

QByteArray Envelope::encode() const
{
    QByteArray out;
    out.reserve(payload.size() + origin.size() + room.size() + 96);
    out.append("{\"origin\":").append(JsonText::quote(origin));
    out.append(",\"room\":").append(JsonText::quote(room));
    out.append(",\"payload\":").append(payload);
    out.append(",\"ts\":").append(QByteArray::number(ts));
    if (id != 0)
        out.append(",\"id\":").append(QByteArray::number(id));
    if (kind == Kind::Event)
        out.append(",\"kind\":\"event\"");
    else if (kind == Kind::Direct)
        out.append(",\"kind\":\"direct\"");
    if (!from.isEmpty())
        out.append(",\"from\":").append(JsonText::quote(from));
    out.append('}');
    return out;
}

std::optional<Envelope> Envelope::decode(QByteArrayView raw, QString *error)
{
    // Payload bytes go to browsers in text frames as they are: only valid UTF-8 may skip the
    // general decoder, which rejects the rest.
    if (raw.isValidUtf8()) {
        if (std::optional<Envelope> envelope = EnvelopeScanner(raw).scan())
            return envelope;
    }
    const auto fail = [error](const QString &message) -> std::optional<Envelope> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(raw.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("envelope is not JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("envelope is not a JSON object"));
    const QJsonObject object = document.object();
    const auto payload = object.constFind(QLatin1String("payload"));
    if (payload == object.constEnd())
        return fail(QStringLiteral("envelope has no \"payload\""));

    Envelope envelope;
    QString payloadError;
    std::optional<QByteArray> payloadText = JsonStringify::member(raw, "payload", &payloadError);
    if (!payloadText)
        return fail(QStringLiteral("envelope's payload: %1").arg(payloadError));
    envelope.payload = std::move(*payloadText);
    envelope.origin = object.value(QLatin1String("origin")).toString();
    envelope.room = object.value(QLatin1String("room")).toString();
    envelope.ts = JsonText::toInt64(object.value(QLatin1String("ts")).toDouble());
    envelope.id = JsonText::toUInt64(object.value(QLatin1String("id")).toDouble());
    envelope.from = object.value(QLatin1String("from")).toString();
    envelope.offset = JsonText::toUInt64(object.value(QLatin1String("offset")).toDouble());
    envelope.epoch = object.value(QLatin1String("epoch")).toString();
    const QString kind = object.value(QLatin1String("kind")).toString();
    if (kind == QLatin1String("event"))
        envelope.kind = Kind::Event;
    else if (kind == QLatin1String("direct"))
        envelope.kind = Kind::Direct;
    return envelope;
}

}
