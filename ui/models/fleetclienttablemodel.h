#pragma once

#include "sim/simsnapshot.h"

#include <QAbstractTableModel>

/// The clients of the fleet's nodes from the latest snapshot: the virtual clients it lists
/// (SimSnapshot::MaxListedClients) and the real WebSocket sessions, in a stable order (virtual
/// ones by index, then sessions by id). A new snapshot updates rows in place and inserts or
/// removes only the rows that came or went, so a selection survives the 10 Hz updates.
class FleetClientTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Client,
        Kind,
        User,
        Node,
        Rooms,
        Queued,
        Slow,
        ColumnCount
    };
    /// Data roles beside the display: what the Clients view acts on, and numbers to sort by.
    enum Role {
        VirtualIndexRole = Qt::UserRole, ///< the virtual client's index, -1 for a session
        SessionIdRole, ///< the session id of a real WebSocket client, empty for a virtual one
        SortRole
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(const fanout::SimSnapshot &snapshot);

    /// How the studio names a client's node: its id, or that it is reconnecting.
    static QString nodeName(int node, const fanout::SimSnapshot &snapshot);
    /// "room-0, room-2"
    static QString roomList(const std::vector<int> &rooms);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        int index = -1; ///< virtual client, -1 for a real session
        QString session; ///< real session id
        QString user;
        QString node;
        QString rooms;
        qint64 queued = 0; ///< messages (virtual) or bytes (real)
        bool slow = false;

        QString id() const { return index >= 0 ? QStringLiteral("v%1").arg(index) : session; }
        bool sameClient(const Row &other) const { return index == other.index && session == other.session; }
        /// The table's order: virtual clients by index, then real sessions by id.
        bool before(const Row &other) const;
    };
    static std::vector<Row> rowsOf(const fanout::SimSnapshot &snapshot);
    QVariant display(const Row &row, int column) const;

    std::vector<Row> m_rows;
};
