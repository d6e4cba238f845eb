#pragma once

#include "redis/redisurl.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class ChannelTableModel;
class ClientTableModel;
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
/// beyond the reads docs/inspector.md lists) need an explicit, confirmed switch.
class InspectorWindow : public QMainWindow
{
    Q_OBJECT
public:
    InspectorWindow(const fanout::RedisUrl &url, const QString &prefix, QWidget *parent = nullptr);

    fanout::RedisInspector *inspector() const { return m_inspector; }
    ChannelTableModel *channelModel() const { return m_channels; }
    FindingListModel *findingModel() const { return m_findings; }

private:
    void createToolBar();
    void createTabs();
    void connectInspector();
    /// The prefix the inspector reads channels under, the console's examples use and sniffing
    /// subscribes to.
    void applyPrefix(const QString &prefix);
    void onSnapshot(const fanout::InspectionSnapshot &snapshot);
    void updateMode(bool writesAllowed);
    void requestWrites(bool allow);
    void toggleSniffing(bool sniff);

    fanout::RedisInspector *m_inspector;
    ChannelTableModel *m_channels;
    ChannelTableModel *m_shardChannels;
    QSortFilterProxyModel *m_channelFilter;
    FleetNodeTableModel *m_nodes;
    ClientTableModel *m_clients;
    FindingListModel *m_findings;
    ConsolePanel *m_console;
    QLabel *m_mode;
    QLabel *m_summary;
    QLineEdit *m_prefix;
    QAction *m_writes;
    QAction *m_sniff;
    QString m_urlText;
};
