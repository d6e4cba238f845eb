#include "fleetclienttablemodel.h"

#include "sim/trafficgenerator.h"

#include <QLocale>

#include <algorithm>
#include <iterator>
#include <limits>

bool FleetClientTableModel::Row::before(const Row &other) const
{
    if ((index >= 0) != (other.index >= 0))
        return index >= 0;
    return index >= 0 ? index < other.index : session < other.session;
}

QString FleetClientTableModel::nodeName(int node, const fanout::SimSnapshot &snapshot)
{
    return node >= 0 && size_t(node) < snapshot.nodes.size() ? snapshot.nodes[size_t(node)].id
                                                             : tr("no node (reconnecting)");
}

QString FleetClientTableModel::roomList(const std::vector<int> &rooms)
{
    QStringList names;
    for (const int room : rooms)
        names.append(fanout::TrafficGenerator::roomName(room));
    return names.join(QStringLiteral(", "));
}

std::vector<FleetClientTableModel::Row> FleetClientTableModel::rowsOf(const fanout::SimSnapshot &snapshot)
{
    std::vector<Row> rows;
    rows.reserve(snapshot.clients.size() + snapshot.externalSessions.size());
    for (const fanout::SimClientSnapshot &client : snapshot.clients) {
        rows.push_back({client.index,
                        {},
                        client.user,
                        nodeName(client.node, snapshot),
                        roomList(client.rooms),
                        client.queued,
                        client.slow});
    }
    for (const fanout::SimExternalClientSnapshot &session : snapshot.externalSessions) {
        rows.push_back({-1, session.id, session.user, nodeName(session.node, snapshot),
                        session.rooms.join(QStringLiteral(", ")), session.queuedBytes, session.slow});
    }
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.before(b); });
    return rows;
}

void FleetClientTableModel::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    std::vector<Row> next = rowsOf(snapshot);
    // Both lists are in the same order: drop the rows that went, then walk the new list,
    // inserting the rows that came between those that stay.
    for (int row = rowCount() - 1; row >= 0; --row) {
        const Row &old = m_rows[size_t(row)];
        const bool stays = std::binary_search(next.cbegin(), next.cend(), old,
                                              [](const Row &a, const Row &b) { return a.before(b); });
        if (!stays) {
            beginRemoveRows({}, row, row);
            m_rows.erase(m_rows.begin() + row);
            endRemoveRows();
        }
    }
    size_t row = 0;
    while (row < next.size()) {
        if (row < m_rows.size() && m_rows[row].sameClient(next[row])) {
            m_rows[row] = std::move(next[row]);
            ++row;
            continue;
        }
        size_t end = row + 1;
        while (end < next.size() && !(row < m_rows.size() && m_rows[row].sameClient(next[end])))
            ++end;
        beginInsertRows({}, int(row), int(end) - 1);
        m_rows.insert(m_rows.begin() + qsizetype(row), std::make_move_iterator(next.begin() + qsizetype(row)),
                      std::make_move_iterator(next.begin() + qsizetype(end)));
        endInsertRows();
        row = end;
    }
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int FleetClientTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetClientTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetClientTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case VirtualIndexRole:
        return row.index;
    case SessionIdRole:
        return row.session;
    case SortRole:
        if (index.column() == Client)
            return row.index >= 0 ? qint64(row.index) : std::numeric_limits<qint64>::max();
        return index.column() == Queued ? QVariant(row.queued) : display(row, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == Queued ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == Queued)
            return row.index >= 0 ? tr("Messages waiting in the client's queue (slow clients only)")
                                  : tr("Bytes written to the socket that the kernel has not taken yet");
        if (index.column() == Slow && row.index < 0)
            return tr("A real client is slow when the kernel's send buffer is full: it reads slower than it gets "
                      "messages. Its node cuts it off with 1008 past 8 MiB queued.");
        return {};
    default:
        return {};
    }
}

QVariant FleetClientTableModel::display(const Row &row, int column) const
{
    switch (column) {
    case Client:
        return row.id();
    case Kind:
        return row.index >= 0 ? tr("virtual") : tr("external");
    case User:
        return row.user;
    case Node:
        return row.node;
    case Rooms:
        return row.rooms;
    case Queued:
        return row.index >= 0 ? tr("%1 msg").arg(QLocale().toString(row.queued))
                              : QLocale().formattedDataSize(row.queued);
    case Slow:
        return row.slow ? tr("slow") : QString();
    default:
        return {};
    }
}

QVariant FleetClientTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Client:
        return tr("Client");
    case Kind:
        return tr("Kind");
    case User:
        return tr("User");
    case Node:
        return tr("Node");
    case Rooms:
        return tr("Rooms");
    case Queued:
        return tr("Queued");
    case Slow:
        return tr("Slow");
    default:
        return {};
    }
}
