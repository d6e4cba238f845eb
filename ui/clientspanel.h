#pragma once

#include "sim/simsnapshot.h"

#include <QWidget>

class FleetClientTableModel;
class QAction;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class SimulationController;

/// The Clients dock: every client of the fleet's nodes, virtual and real WebSocket ones, with
/// its user, node, rooms, queue and whether it is slow, filtered by node and by room. The
/// selected client can be made slow or fast again (virtual ones: the slow_client and
/// fast_client steps) or disconnected (disconnect_client; a real session is closed by its node).
class ClientsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ClientsPanel(SimulationController *controller, QWidget *parent = nullptr);

    void setSnapshot(const fanout::SimSnapshot &snapshot);

private:
    /// Keeps a combo's items (after its "all" entry) equal to `names`, and its choice when it
    /// is still among them.
    static void setChoices(QComboBox *combo, const QStringList &names);
    void filter();
    void updateActions();
    void act(QAction *action);

    SimulationController *m_controller;
    FleetClientTableModel *m_model;
    QSortFilterProxyModel *m_byNode;
    QSortFilterProxyModel *m_byRoom;
    QComboBox *m_nodes;
    QComboBox *m_rooms;
    QTableView *m_view;
    QLabel *m_note;
    QAction *m_makeSlow;
    QAction *m_makeFast;
    QAction *m_disconnect;
};
