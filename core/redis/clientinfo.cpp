#include "clientinfo.h"

namespace fanout {

QList<ClientInfo> ClientInfo::parseList(const QByteArray &text)
{
    QList<ClientInfo> clients;
    for (const QByteArray &line : text.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.isEmpty())
            continue;
        ClientInfo client;
        for (const QByteArray &field : trimmed.split(' ')) {
            const qsizetype equals = field.indexOf('=');
            if (equals <= 0)
                continue;
            const QByteArray key = field.left(equals);
            const QByteArray value = field.mid(equals + 1);
            if (key == "id")
                client.id = value.toLongLong();
            else if (key == "addr")
                client.address = QString::fromUtf8(value);
            else if (key == "name")
                client.name = QString::fromUtf8(value);
            else if (key == "age")
                client.ageSeconds = value.toLongLong();
            else if (key == "idle")
                client.idleSeconds = value.toLongLong();
            else if (key == "flags")
                client.flags = QString::fromUtf8(value);
            else if (key == "db")
                client.db = value.toInt();
            else if (key == "sub")
                client.subscriptions = value.toLongLong();
            else if (key == "psub")
                client.patternSubscriptions = value.toLongLong();
            else if (key == "ssub")
                client.shardSubscriptions = value.toLongLong();
            else if (key == "omem")
                client.outputMemory = value.toLongLong();
            else if (key == "cmd")
                client.lastCommand = QString::fromUtf8(value);
        }
        clients.append(client);
    }
    return clients;
}

}
