#include "tracepanel.h"

#include "models/tracelistmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

TracePanel::TracePanel(QWidget *parent)
    : QWidget(parent), m_model(new TraceListModel(this)), m_list(new QTableView), m_path(new QTreeWidget),
      m_hint(new QLabel), m_splitter(new QSplitter(Qt::Horizontal))
{
    m_list->setModel(m_model);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setObjectName(QStringLiteral("traceList"));
    m_list->verticalHeader()->hide();
    // Channel names are as long as the fleet's prefix makes them: columns fit what they hold.
    m_list->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_path->setHeaderLabels({tr("Hop"), tr("After publish")});
    m_path->setObjectName(QStringLiteral("tracePath"));
    auto *next = new QPushButton(tr("Follow the next message"));
    next->setObjectName(QStringLiteral("followNext"));
    m_hint->setObjectName(QStringLiteral("traceHint"));
    connect(next, &QPushButton::clicked, this, &TracePanel::followNext);
    m_splitter->addWidget(m_list);
    m_splitter->addWidget(m_path);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(next);
    layout->addWidget(m_hint);
    layout->addWidget(m_splitter);
    m_hint->setText(tr("Select a message to see its path."));
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TracePanel::onSelectionChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_model->rowOf(m_shownKey);
        if (row >= 0)
            m_list->selectRow(row);
    });
}

void TracePanel::followNext()
{
    m_following = true;
    m_followAfterNs = m_latestPublishedNs;
    m_hint->setText(tr("Waiting for the next message..."));
}

void TracePanel::clear()
{
    m_following = false;
    m_shownKey = 0;
    m_followAfterNs = 0;
    m_latestPublishedNs = 0;
    m_model->setTraces({});
    m_path->clear();
    m_hint->setText(tr("Select a message to see its path."));
}

void TracePanel::setTraces(const std::vector<fanout::MessageTrace> &oldestFirst)
{
    // Trace times count from the start of their simulation: times going back mean a new one
    // (a reset that did not come through clear()), whose messages are all newer.
    if (!oldestFirst.empty() && oldestFirst.back().publishedNs < m_latestPublishedNs) {
        m_latestPublishedNs = 0;
        m_followAfterNs = 0;
    }
    m_model->setTraces(oldestFirst);
    if (m_following) {
        for (const fanout::MessageTrace &trace : oldestFirst) {
            if (trace.publishedNs > m_followAfterNs) {
                m_following = false;
                m_shownKey = trace.key;
                m_list->selectRow(m_model->rowOf(trace.key));
                showTrace(trace);
                break;
            }
        }
    }
    if (!oldestFirst.empty())
        m_latestPublishedNs = std::max(m_latestPublishedNs, oldestFirst.back().publishedNs);
    fitOrientation();
}

void TracePanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitOrientation();
}

void TracePanel::fitOrientation()
{
    // The path goes beside the list when both fit whole, else under it: a docked panel is often
    // narrower than the list's columns and the path together. Going back beside it takes a
    // margin more, so that a width near the limit does not flip the layout on every snapshot.
    // The header already sized every column but the stretched last one to its contents.
    const QHeaderView *header = m_list->horizontalHeader();
    const QAbstractItemView *list = m_list; // QTableView hides sizeHintForColumn
    const int last = header->count() - 1;
    int listWidth = 2 * m_list->frameWidth() + m_list->verticalScrollBar()->sizeHint().width()
        + std::max(header->sectionSizeHint(last), list->sizeHintForColumn(last));
    for (int column = 0; column < last; ++column)
        listWidth += header->sectionSize(column);
    const int besideWidth = listWidth + m_splitter->handleWidth() + MinimumPathWidth;
    const int available = m_splitter->width();
    const bool beside = m_splitter->orientation() == Qt::Horizontal;
    if (beside && available < besideWidth) {
        m_splitter->setOrientation(Qt::Vertical);
    } else if (!beside && available >= besideWidth + OrientationMargin) {
        m_splitter->setOrientation(Qt::Horizontal);
        m_splitter->setSizes({listWidth, available - listWidth - m_splitter->handleWidth()});
    } else if (beside && m_list->width() < listWidth) {
        m_splitter->setSizes({listWidth, available - listWidth - m_splitter->handleWidth()});
    }
}

void TracePanel::onSelectionChanged()
{
    const QModelIndexList rows = m_list->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const quint64 key = rows.first().data(TraceListModel::KeyRole).toULongLong();
    if (key == m_shownKey && m_path->topLevelItemCount() > 0)
        return;
    if (const fanout::MessageTrace *trace = m_model->trace(key)) {
        m_shownKey = key;
        showTrace(*trace);
    }
}

void TracePanel::showTrace(const fanout::MessageTrace &trace)
{
    const auto after = [&trace](qint64 ns) {
        return QStringLiteral("+%1 µs").arg(double(ns - trace.publishedNs) / 1000.0, 0, 'f', 1);
    };
    m_path->clear();
    // The sender and sequence are what the payload says ("v12 #3 xxx"): a real client sees the same.
    const QString sender = trace.sender >= 0 ? tr("v%1 (its message #%2)").arg(trace.sender).arg(trace.sequence)
                                             : tr("an external WebSocket client");
    auto *root = new QTreeWidgetItem(m_path,
                                     {tr("published by %1 on %2 at %3 s (envelope %4)")
                                          .arg(sender, trace.origin)
                                          .arg(trace.publishedAt, 0, 'f', 2)
                                          .arg(trace.id),
                                      QStringLiteral("0")});
    auto *channel = new QTreeWidgetItem(root, {tr("PUBLISH %1").arg(QString::fromUtf8(trace.channel)), QString()});
    for (const auto &hop : trace.nodes) {
        auto *node = new QTreeWidgetItem(
            channel, {tr("%1 delivered to %2 local session(s)").arg(hop.nodeId).arg(hop.sessions), after(hop.atNs)});
        node->setExpanded(true);
    }
    auto *sessions = new QTreeWidgetItem(
        root,
        {tr("%1 of %2 members got it, %3 lost").arg(trace.delivered).arg(trace.expected).arg(trace.lost), QString()});
    for (const auto &hop : trace.sessions)
        new QTreeWidgetItem(sessions, {QStringLiteral("v%1").arg(hop.client), after(hop.atNs)});
    if (trace.sessions.size() < trace.delivered)
        new QTreeWidgetItem(sessions, {tr("... %1 more").arg(trace.delivered - trace.sessions.size()), QString()});
    m_path->expandItem(root);
    m_path->expandItem(channel);
    m_path->resizeColumnToContents(0);
    m_hint->setText(tr("Message %1 #%2 on %3").arg(trace.origin).arg(trace.id).arg(QString::fromUtf8(trace.channel)));
}
