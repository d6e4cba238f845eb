#include "nodespanel.h"

#include "models/nodetablemodel.h"
#include "studioactions.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

NodesPanel::NodesPanel(const StudioActions &actions, QWidget *parent)
    : QWidget(parent), m_model(new NodeTableModel(this)), m_view(new QTableView)
{
    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("nodeView"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6); // three nodes in view
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(actions.copyUrl);
    m_view->addActions(actions.nodeFaults());
    connect(actions.copyUrl, &QAction::triggered, this, &NodesPanel::copySelectedUrl);

    auto *copyButton = new QPushButton(tr("Copy ws:// URL"));
    copyButton->setToolTip(actions.copyUrl->toolTip());
    copyButton->setObjectName(QStringLiteral("copyUrlButton"));
    connect(copyButton, &QPushButton::clicked, actions.copyUrl, &QAction::trigger);
    auto *hint = new QLabel(tr("Select a node for the fault buttons; right-click it for its menu. Join it with "
                               "<code>npx wscat -c 'URL?room=room-0'</code> to see what its virtual clients see."));
    hint->setWordWrap(true);

    // The button beside the hint rather than above it: a line less under the table.
    auto *below = new QHBoxLayout;
    below->addWidget(copyButton, 0, Qt::AlignTop);
    below->addWidget(hint, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_view);
    layout->addLayout(below);
}

void NodesPanel::setNodes(const std::vector<fanout::SimNodeSnapshot> &nodes)
{
    m_model->setNodes(nodes);
}

int NodesPanel::selectedNode() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void NodesPanel::copySelectedUrl()
{
    const int node = selectedNode();
    if (node < 0)
        return;
    const QString url = m_model->index(node, 0).data(NodeTableModel::UrlRole).toString();
    QApplication::clipboard()->setText(url);
    emit urlCopied(url);
}
