#include "inspectionsummary.h"

#include "broker/hashslot.h"
#include "inspect/inspectionsnapshot.h"

#include <QDateTime>

#include <algorithm>
#include <map>

using fanout::DriftFinding;
using fanout::FleetNode;
using fanout::InspectionSnapshot;

namespace {

/// Rows under a header, each column as wide as its widest cell, indented under its section.
QString table(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (widths.size() <= column)
                widths.append(0);
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    QString text;
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column)
            line += row[column].leftJustified(widths[column] + 2);
        text += QStringLiteral("  ") + line.trimmed() + QLatin1Char('\n');
    }
    return text;
}

/// A rate from a node's record, or "-" from a node too old to write one.
QString rate(double value, int decimals = 0)
{
    return value < 0 ? QStringLiteral("-") : QString::number(value, 'f', decimals);
}

QString connections(const FleetNode &node)
{
    QStringList held;
    if (node.publishClient >= 0)
        held.append(QStringLiteral("pub"));
    if (node.subscribeClient >= 0)
        held.append(QStringLiteral("sub"));
    return held.isEmpty() ? QStringLiteral("none") : held.join(QLatin1Char('+'));
}

QString header(const InspectionSnapshot &snapshot)
{
    QString text = QStringLiteral("Inspection of %1 (prefix %2, %3), taken at %4 in %5 ms\n")
                       .arg(snapshot.url, snapshot.prefix,
                            snapshot.readOnly ? QStringLiteral("read-only") : QStringLiteral("writes allowed"),
                            QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs, Qt::UTC).toString(Qt::ISODate))
                       .arg(snapshot.durationMs);
    if (snapshot.sentinel) {
        const QString replicas = snapshot.sentinel->replicas.join(QLatin1String(", "));
        text += QStringLiteral("Sentinel: primary of \"%1\" at %2, replicas: %3\n")
                    .arg(snapshot.sentinel->masterName, snapshot.sentinel->primary,
                         replicas.isEmpty() ? QStringLiteral("none") : replicas);
    }
    if (snapshot.cluster) {
        text += QStringLiteral("Redis Cluster: %1 master(s), %2 of %3 slots covered (slot map from %4)\n")
                    .arg(snapshot.cluster->masters.size())
                    .arg(snapshot.cluster->slotsCovered())
                    .arg(fanout::HashSlot::Count)
                    .arg(snapshot.cluster->slotMapFrom);
    }
    return text;
}

QString nodesSection(const InspectionSnapshot &snapshot)
{
    if (snapshot.nodes.empty())
        return QStringLiteral("Nodes: none registered\n");
    std::map<FleetNode::State, int> byState;
    for (const FleetNode &node : snapshot.nodes)
        ++byState[node.state];
    QStringList counts;
    for (const auto &[state, count] : byState)
        counts.append(QStringLiteral("%1 %2").arg(count).arg(FleetNode::stateName(state)));
    QList<QStringList> rows;
    rows.append({"NODE", "STATE", "ADDRESS", "ROOMS", "SESSIONS", "PUBLISHED/S", "RECEIVED/S", "DELIVERED/S",
                 "LAG P99 MS", "CONNECTIONS"});
    for (const FleetNode &node : snapshot.nodes) {
        const fanout::NodeRecord &record = node.record;
        rows.append({record.id, FleetNode::stateName(node.state),
                     record.address.isEmpty() ? QStringLiteral("-") : record.address, QString::number(record.roomCount),
                     QString::number(record.sessions), rate(record.publishedPerSecond), rate(record.receivedPerSecond),
                     rate(record.deliveredPerSecond), rate(record.lagP99Ms, 1), connections(node)});
    }
    return QStringLiteral("Nodes: %1 (%2)\n").arg(snapshot.nodes.size()).arg(counts.join(QLatin1String(", ")))
        + table(rows);
}

QString roomsSection(const InspectionSnapshot &snapshot)
{
    std::vector<fanout::ChannelInfo> channels = snapshot.roomChannels();
    const QString kind = snapshot.cluster ? QStringLiteral("shard channel(s)") : QStringLiteral("channel(s)");
    QString text = QStringLiteral("Rooms: %1 %2 under %3\n").arg(channels.size()).arg(kind, snapshot.prefix);
    if (channels.empty())
        return text;
    std::stable_sort(channels.begin(), channels.end(),
                     [](const auto &a, const auto &b) { return a.subscribers > b.subscribers; });
    const bool rates = snapshot.sniffing;
    QStringList titles {"ROOM", "CHANNEL", "SUBSCRIBERS"};
    if (rates)
        titles.append(QStringLiteral("MESSAGES/S"));
    if (snapshot.cluster)
        titles.append(QStringLiteral("OWNER"));
    QList<QStringList> rows;
    rows.append(titles);
    const size_t shown = std::min(channels.size(), size_t(InspectionSummary::MaxRooms));
    for (size_t i = 0; i < shown; ++i) {
        const fanout::ChannelInfo &channel = channels[i];
        QStringList row {channel.room, channel.channel, QString::number(channel.subscribers)};
        if (rates)
            row.append(rate(channel.messagesPerSecond, 1));
        if (snapshot.cluster)
            row.append(channel.owner);
        rows.append(row);
    }
    text += table(rows);
    if (channels.size() > shown)
        text += QStringLiteral("  ... and %1 more (--json lists every one)\n").arg(channels.size() - shown);
    return text;
}

QString driftSection(const InspectionSnapshot &snapshot)
{
    if (snapshot.findings.empty())
        return QStringLiteral("Drift: none, every node's registry matches Redis\n");
    std::vector<DriftFinding> findings = snapshot.findings;
    std::stable_sort(findings.begin(), findings.end(),
                     [](const auto &a, const auto &b) { return int(a.severity) > int(b.severity); });
    const auto errors = std::count_if(findings.cbegin(), findings.cend(), [](const DriftFinding &finding) {
        return finding.severity == DriftFinding::Severity::Error;
    });
    QString text = QStringLiteral("Drift: %1 finding(s), %2 error(s)\n").arg(findings.size()).arg(errors);
    for (const DriftFinding &finding : findings) {
        text += QStringLiteral("  [%1] %2: %3\n")
                    .arg(DriftFinding::severityName(finding.severity), finding.kind, finding.detail);
    }
    return text;
}

}

QString InspectionSummary::text(const InspectionSnapshot &snapshot)
{
    QStringList sections {header(snapshot), nodesSection(snapshot), roomsSection(snapshot), driftSection(snapshot)};
    if (!snapshot.errors.isEmpty())
        sections.append(QStringLiteral("Errors:\n  ") + snapshot.errors.join(QLatin1String("\n  "))
                        + QLatin1Char('\n'));
    return sections.join(QLatin1Char('\n'));
}
