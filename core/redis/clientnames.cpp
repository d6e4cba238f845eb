#include "clientnames.h"

#include <QRegularExpression>

namespace fanout {

QString ClientNames::nodePublish(const QString &nodeId)
{
    return QStringLiteral("fanout:%1:pub").arg(nodeId);
}

QString ClientNames::nodeSubscribe(const QString &nodeId)
{
    return QStringLiteral("fanout:%1:sub").arg(nodeId);
}

QString ClientNames::nodeSentinel(const QString &nodeId)
{
    return sentinel(QStringLiteral("fanout:%1").arg(nodeId));
}

QString ClientNames::sentinel(const QString &owner)
{
    return owner + QStringLiteral(":sentinel");
}

bool ClientNames::isNode(const QString &clientName)
{
    static const QRegularExpression nodeConnection(QStringLiteral("^fanout:.+:(pub|sub)$"));
    return nodeConnection.match(clientName).hasMatch();
}

QString ClientNames::studioConsole()
{
    return QStringLiteral("fanout-studio:console");
}

QString ClientNames::studioProbe()
{
    return QStringLiteral("fanout-studio:probe");
}

QString ClientNames::inspector()
{
    return QStringLiteral("fanout-inspector");
}

QString ClientNames::inspectorSniffer()
{
    return inspector() + QStringLiteral(":sniff");
}

}
