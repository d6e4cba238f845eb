#pragma once

#include "redis/redisurl.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class ChannelTableModel;
class ClientTableModel;
class ClusterMasterModel;
class ConsolePanel;
class FindingListModel;
class FleetNodeTableModel;

namespace fanout {
class RedisInspector;
struct InspectionSnapshot;
}

/// The read-only inspector of a production Redis: channels under a prefix with their subscriber
/// counts, sharded channels, the fleet's nodes and their connections, every client, and drift
/// findings, refreshed live. The window always says which mode it is in; writes (console commands
/// beyond the reads docs/inspector.md lists) need an explicit, confirmed switch. On a Redis Cluster
/// the channels table lists the shard channels (what nodes subscribe to there) with the master
/// that owns each one's slot, and a Masters tab shows each master with its slots and channels.
/// Ctrl+W and Esc close it.
class InspectorWindow : public QMainWindow
{
    Q_OBJECT
public:
    InspectorWindow(const fanout::RedisUrl &url, const QString &prefix, QWidget *parent = nullptr);

    fanout::RedisInspector *inspector() const { return m_inspector; }
    /// The channels nodes subscribe to: classic ones on one server, shard channels on a Cluster.
    ChannelTableModel *channelModel() const { return m_channels; }
    ClusterMasterModel *masterModel() const { return m_masters; }
    FindingListModel *findingModel() const { return m_findings; }

private:
    void createToolBar();
    void createTabs();
    void connectInspector();
    /// The prefix the inspector reads channels under, the console's examples use and sniffing
    /// subscribes to.
    void applyPrefix(const QString &prefix);
    void onSnapshot(const fanout::InspectionSnapshot &snapshot);
    /// The status line's words for where a sentinel or cluster URL led; empty for another URL.
    static QString topologySummary(const fanout::InspectionSnapshot &snapshot);
    void updateMode(bool writesAllowed);
    void requestWrites(bool allow);
    void toggleSniffing(bool sniff);

    fanout::RedisInspector *m_inspector;
    ChannelTableModel *m_channels;
    ChannelTableModel *m_otherChannels; ///< sharded channels on one server, classic ones on a Cluster
    QSortFilterProxyModel *m_channelFilter;
    FleetNodeTableModel *m_nodes;
    ClientTableModel *m_clients;
    ClusterMasterModel *m_masters;
    FindingListModel *m_findings;
    ConsolePanel *m_console;
    QStackedWidget *m_drift; ///< the findings, or a line saying there are none
    QLabel *m_noDrift;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_channelView = nullptr;
    QTableView *m_otherChannelView = nullptr;
    QTableView *m_clientView = nullptr;
    bool m_cluster;
    QLabel *m_mode;
    QLabel *m_summary;
    QLineEdit *m_prefix;
    QAction *m_writes;
    QAction *m_sniff;
    QString m_urlText;
};
