#pragma once

#include "sim/messagetrace.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QTableView;
class QTreeWidget;
class TraceListModel;

/// Pick a message, or ask for the next one, and see its path: publish -> channel -> nodes ->
/// sessions, with the time of each hop after the publish.
class TracePanel : public QWidget
{
    Q_OBJECT
public:
    explicit TracePanel(QWidget *parent = nullptr);

    void setTraces(const std::vector<fanout::MessageTrace> &oldestFirst);
    TraceListModel *model() const { return m_model; }
    /// Shows the first message published after this call.
    void followNext();
    /// Forgets the shown path and what was followed: a new simulation starts.
    void clear();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    static constexpr int MinimumPathWidth = 260;
    static constexpr int OrientationMargin = 16;

    void fitOrientation();
    void showTrace(const fanout::MessageTrace &trace);
    void onSelectionChanged();

    TraceListModel *m_model;
    QTableView *m_list;
    QTreeWidget *m_path;
    QLabel *m_hint;
    QSplitter *m_splitter;
    quint64 m_shownKey = 0;
    qint64 m_followAfterNs = 0;
    qint64 m_latestPublishedNs = 0;
    bool m_following = false;
};
