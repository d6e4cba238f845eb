#include "rediscluster.h"

#include "redisclient.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

namespace {

/// count distinct free loopback ports: the probes listen at once, so none repeats.
QList<quint16> freePorts(int count)
{
    std::vector<std::unique_ptr<QTcpServer>> probes;
    QList<quint16> ports;
    for (int i = 0; i < count; ++i) {
        probes.push_back(std::make_unique<QTcpServer>());
        if (!probes.back()->listen(QHostAddress::LocalHost, 0))
            return {};
        ports.append(probes.back()->serverPort());
    }
    return ports;
}

}

bool RedisCluster::start(int masters)
{
    m_masters.clear();
    m_arguments.clear();
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder for the cluster config files: %1").arg(m_dir.errorString());
        return false;
    }
    // Each node also needs a port for the cluster bus: the default, port + 10000, may be taken,
    // and is above 65535 for half of the ephemeral range.
    const QList<quint16> ports = freePorts(2 * masters);
    if (ports.size() != 2 * masters) {
        m_error = QStringLiteral("no free loopback ports for %1 cluster nodes").arg(masters);
        return false;
    }
    for (int i = 0; i < masters; ++i) {
        const quint16 port = ports.at(2 * i);
        QStringList arguments {QStringLiteral("--cluster-enabled"), QStringLiteral("yes")};
        arguments += {QStringLiteral("--cluster-port"), QString::number(ports.at(2 * i + 1))};
        arguments += {QStringLiteral("--cluster-node-timeout"), QString::number(NodeTimeoutMs)};
        const QString config = m_dir.filePath(QStringLiteral("nodes-%1.conf").arg(port));
        arguments += {QStringLiteral("--cluster-config-file"), config, QStringLiteral("--dir"), m_dir.path()};
        m_arguments.push_back(arguments);
        m_masters.push_back(std::make_unique<RedisServer>());
        if (!m_masters.back()->start(port, arguments)) {
            m_error = QStringLiteral("master %1: %2").arg(i).arg(m_masters.back()->errorString());
            return false;
        }
    }
    return join() && waitSettled();
}

bool RedisCluster::waitSettled()
{
    if (!QTest::qWaitFor([this] { return isSettled(); }, SettleTimeoutMs)) {
        m_error = QStringLiteral("the cluster did not settle within %1 ms: %2").arg(SettleTimeoutMs).arg(m_error);
        return false;
    }
    m_error.clear(); // what the polling last saw
    return true;
}

void RedisCluster::stop()
{
    for (const std::unique_ptr<RedisServer> &master : m_masters)
        master->stop();
}

bool RedisCluster::restart()
{
    for (size_t i = 0; i < m_masters.size(); ++i) {
        if (!m_masters.at(i)->start(m_masters.at(i)->port(), m_arguments.at(i))) {
            m_error = QStringLiteral("master %1: %2").arg(i).arg(m_masters.at(i)->errorString());
            return false;
        }
    }
    return waitSettled();
}

bool RedisCluster::join()
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-cli"));
    if (program.isEmpty()) {
        m_error = QStringLiteral("redis-cli is not on PATH: install the Debian package redis-tools "
                                 "(scripts/setup.sh does)");
        return false;
    }
    QStringList arguments {QStringLiteral("--cluster"), QStringLiteral("create")};
    for (const auto &server : m_masters)
        arguments.append(QStringLiteral("127.0.0.1:%1").arg(server->port()));
    arguments += {QStringLiteral("--cluster-replicas"), QStringLiteral("0"), QStringLiteral("--cluster-yes")};
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(program, arguments);
    // It waits for the nodes to meet a second at a time.
    if (cli.waitForFinished(SettleTimeoutMs) && cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0)
        return true;
    // redis-cli colours its messages even into a pipe.
    const QString output
        = QString::fromLocal8Bit(cli.readAll()).remove(QRegularExpression(QStringLiteral("\x1b\\[[0-9;]*m")));
    m_error = QStringLiteral("redis-cli --cluster create failed: %1").arg(output.trimmed());
    return false;
}

bool RedisCluster::isSettled()
{
    const QList<int> expected = slotOwners(0);
    for (int i = 0; i < size(); ++i) {
        fanout::RedisReply info;
        if (!run(i, {"CLUSTER", "INFO"}, &info))
            return false;
        if (!info.string.contains("cluster_state:ok")) {
            m_error = QStringLiteral("master %1 is not cluster_state:ok").arg(i);
            return false;
        }
        const QList<int> owners = slotOwners(i);
        if (owners.isEmpty() || owners.contains(-1) || owners != expected) {
            m_error = QStringLiteral("master %1 does not know the owner of every slot as master 0 does").arg(i);
            return false;
        }
    }
    return true;
}

QString RedisCluster::url(const QString &scheme) const
{
    QStringList addresses;
    for (const auto &server : m_masters)
        addresses.append(QStringLiteral("127.0.0.1:%1").arg(server->port()));
    return QStringLiteral("%1://%2").arg(scheme, addresses.join(QLatin1Char(',')));
}

quint16 RedisCluster::slotOf(const QByteArray &key)
{
    // The test's own reading of the rule, checked against CLUSTER KEYSLOT: expectations derived
    // from the broker's code would prove nothing about it.
    QByteArrayView hashed = key;
    const qsizetype open = key.indexOf('{');
    const qsizetype close = open < 0 ? -1 : key.indexOf('}', open + 1);
    if (close > open + 1)
        hashed = hashed.sliced(open + 1, close - open - 1);
    quint16 crc = 0;
    for (const char c : hashed) {
        crc ^= quint16(quint8(c) << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) != 0 ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
    }
    return crc & (SlotCount - 1);
}

QList<int> RedisCluster::slotOwners(int index)
{
    fanout::RedisReply ranges;
    if (!run(index, {"CLUSTER", "SLOTS"}, &ranges))
        return {};
    QList<int> owners(SlotCount, -1);
    for (const fanout::RedisReply &range : ranges.elements) {
        // [first slot, last slot, [ip, port, id, ...] of the master, replicas...]
        if (range.elements.size() < 3 || range.elements.at(2).elements.size() < 2)
            continue;
        const qint64 port = range.elements.at(2).elements.at(1).integer;
        int owner = -1;
        for (int i = 0; i < size(); ++i) {
            if (master(i).port() == port)
                owner = i;
        }
        const qint64 last = qMin(range.elements.at(1).integer, qint64(SlotCount - 1));
        for (qint64 slot = qMax(range.elements.at(0).integer, qint64(0)); slot <= last; ++slot)
            owners[slot] = owner;
    }
    return owners;
}

QList<int> RedisCluster::currentOwners()
{
    QList<int> owners;
    for (int i = 0; i < size() && owners.isEmpty(); ++i)
        owners = slotOwners(i);
    return owners;
}

int RedisCluster::ownerOf(quint16 slot)
{
    const QList<int> owners = currentOwners();
    const int owner = slot < owners.size() ? owners.at(slot) : -1;
    if (owner < 0 && !owners.isEmpty())
        m_error = QStringLiteral("no master owns slot %1").arg(slot);
    return owner;
}

QStringList RedisCluster::namesOnEachMaster(const QString &prefix, const QString &stem, int perMaster)
{
    const QList<int> owners = currentOwners();
    if (owners.isEmpty())
        return {};
    std::vector<QStringList> names(m_masters.size());
    int missing = size() * perMaster;
    // Ten times the names that a master owning a single slot needs on average.
    const int tries = 10 * SlotCount * perMaster;
    for (int i = 0; missing > 0 && i < tries; ++i) {
        const QString name = stem + QString::number(i);
        const int owner = owners.at(slotOf((prefix + name).toUtf8()));
        if (owner >= 0 && names[size_t(owner)].size() < perMaster) {
            names[size_t(owner)].append(name);
            --missing;
        }
    }
    if (missing > 0) {
        m_error = QStringLiteral("no %1 names in %2 tries for some master").arg(perMaster).arg(tries);
        return {};
    }
    QStringList grouped;
    for (const QStringList &ofMaster : names)
        grouped += ofMaster;
    return grouped;
}

bool RedisCluster::migrateSlot(quint16 slot, int to)
{
    return beginMigration(slot, to) && finishMigration(slot, to);
}

int RedisCluster::sourceOf(quint16 slot, int to)
{
    if (to < 0 || to >= size()) {
        m_error = QStringLiteral("no master %1").arg(to);
        return -1;
    }
    const int from = ownerOf(slot);
    if (from == to)
        m_error = QStringLiteral("slot %1 is on master %2 already").arg(slot).arg(to);
    return from == to ? -1 : from;
}

bool RedisCluster::beginMigration(quint16 slot, int to)
{
    const int from = sourceOf(slot, to);
    if (from < 0)
        return false;
    const QByteArray fromId = nodeId(from);
    const QByteArray toId = nodeId(to);
    const QByteArray slotText = QByteArray::number(slot);
    // The target first, so that a client the source sends there with ASK finds it importing.
    return !fromId.isEmpty() && !toId.isEmpty() && run(to, {"CLUSTER", "SETSLOT", slotText, "IMPORTING", fromId})
        && run(from, {"CLUSTER", "SETSLOT", slotText, "MIGRATING", toId});
}

bool RedisCluster::finishMigration(quint16 slot, int to)
{
    const int from = sourceOf(slot, to);
    if (from < 0)
        return false;
    const QByteArray slotText = QByteArray::number(slot);
    const QByteArray targetPort = QByteArray::number(master(to).port());
    while (true) {
        fanout::RedisReply keys;
        if (!run(from, {"CLUSTER", "GETKEYSINSLOT", slotText, "100"}, &keys))
            return false;
        if (keys.elements.isEmpty())
            break;
        QList<QByteArray> migrate {"MIGRATE", "127.0.0.1", targetPort, "", "0", "5000", "KEYS"};
        for (const fanout::RedisReply &key : keys.elements)
            migrate.append(key.string);
        if (!run(from, migrate))
            return false;
    }
    const QByteArray toId = nodeId(to);
    if (toId.isEmpty())
        return false;
    // The target first, then the source, then the others, each once: on Redis 7.0 SETSLOT NODE
    // sent to a slot's owner drops the owner's shard subscribers of the slot (sunsubscribe pushes)
    // though it keeps the slot.
    QList<int> order {to, from};
    for (int i = 0; i < size(); ++i) {
        if (i != to && i != from)
            order.append(i);
    }
    for (const int index : order) {
        if (!run(index, {"CLUSTER", "SETSLOT", slotText, "NODE", toId}))
            return false;
    }
    return true;
}

QByteArray RedisCluster::nodeId(int index)
{
    fanout::RedisReply id;
    return run(index, {"CLUSTER", "MYID"}, &id) ? id.string : QByteArray();
}

bool RedisCluster::run(int index, const QList<QByteArray> &args, fanout::RedisReply *reply)
{
    RedisClient client(master(index).url());
    const fanout::RedisReply answer = client.command(args);
    if (reply != nullptr)
        *reply = answer;
    if (!answer.isError())
        return true;
    m_error = QStringLiteral("%1 on %2: %3")
                  .arg(QString::fromUtf8(args.join(' ')), master(index).urlString(), QString::fromUtf8(answer.string));
    return false;
}
