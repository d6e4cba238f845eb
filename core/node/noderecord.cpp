#include "noderecord.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace fanout {

QList<QByteArray> NodeRecord::toFields() const
{
    const QJsonArray roomArray = QJsonArray::fromStringList(rooms.mid(0, MaxListedRooms));
    QList<QByteArray> fields {"id",
                              id.toUtf8(),
                              "address",
                              address.toUtf8(),
                              "version",
                              version.toUtf8(),
                              "prefix",
                              prefix.toUtf8(),
                              "rooms",
                              QJsonDocument(roomArray).toJson(QJsonDocument::Compact),
                              "room_count",
                              QByteArray::number(roomCount),
                              "rooms_truncated",
                              roomCount > rooms.size() || rooms.size() > MaxListedRooms ? "1" : "0",
                              "sessions",
                              QByteArray::number(sessions),
                              "subscriptions",
                              QByteArray::number(subscriptions),
                              "pid",
                              QByteArray::number(pid),
                              "started_ms",
                              QByteArray::number(startedMs),
                              "updated_ms",
                              QByteArray::number(updatedMs)};
    const std::pair<const char *, double> summary[] {{"published_per_s", publishedPerSecond},
                                                     {"received_per_s", receivedPerSecond},
                                                     {"delivered_per_s", deliveredPerSecond},
                                                     {"lag_p99_ms", lagP99Ms}};
    for (const auto &[name, value] : summary) {
        if (value >= 0)
            fields << name << QByteArray::number(value, 'f', 1);
    }
    return fields;
}

NodeRecord NodeRecord::fromFields(const QList<QByteArray> &flat)
{
    NodeRecord record;
    for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
        const QByteArray &key = flat.at(i);
        const QByteArray &value = flat.at(i + 1);
        if (key == "id")
            record.id = QString::fromUtf8(value);
        else if (key == "address")
            record.address = QString::fromUtf8(value);
        else if (key == "version")
            record.version = QString::fromUtf8(value);
        else if (key == "prefix")
            record.prefix = QString::fromUtf8(value);
        else if (key == "rooms") {
            for (const auto &room : QJsonDocument::fromJson(value).array())
                record.rooms.append(room.toString());
        } else if (key == "room_count")
            record.roomCount = value.toLongLong();
        else if (key == "rooms_truncated")
            record.roomsTruncated = value == "1";
        else if (key == "sessions")
            record.sessions = value.toLongLong();
        else if (key == "subscriptions")
            record.subscriptions = value.toLongLong();
        else if (key == "pid")
            record.pid = value.toLongLong();
        else if (key == "started_ms")
            record.startedMs = value.toLongLong();
        else if (key == "updated_ms")
            record.updatedMs = value.toLongLong();
        else if (key == "published_per_s")
            record.publishedPerSecond = value.toDouble();
        else if (key == "received_per_s")
            record.receivedPerSecond = value.toDouble();
        else if (key == "delivered_per_s")
            record.deliveredPerSecond = value.toDouble();
        else if (key == "lag_p99_ms")
            record.lagP99Ms = value.toDouble();
    }
    return record;
}

}
