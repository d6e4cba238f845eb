#pragma once

#include "sim/simsnapshot.h"

#include <QWidget>

#include <vector>

class QTableView;
class NodeTableModel;
struct StudioActions;

/// The Nodes dock: the fleet's nodes in a table whose context menu holds the node faults and
/// "Copy ws:// URL", with a button for the URL and a hint on joining a node with wscat.
class NodesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit NodesPanel(const StudioActions &actions, QWidget *parent = nullptr);

    void setNodes(const std::vector<fanout::SimNodeSnapshot> &nodes);
    /// The row of the selected node, or -1 when none is selected.
    int selectedNode() const;

signals:
    /// The selected node's ws:// URL is on the clipboard.
    void urlCopied(const QString &url);

private:
    void copySelectedUrl();

    NodeTableModel *m_model;
    QTableView *m_view;
};
