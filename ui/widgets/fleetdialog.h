#pragma once

#include "sim/scenario.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

/// Edits the fleet (nodes, clients, rooms, payload size) and the broker (in-process, or a Redis URL) of the
/// current scenario; applying it starts a new simulation.
class FleetDialog : public QDialog
{
    Q_OBJECT
public:
    FleetDialog(const fanout::Scenario &scenario, const QString &redisUrl, QWidget *parent = nullptr);

    fanout::Scenario scenario() const;
    QString redisUrl() const;
    /// What the label under the URL field says of a RedisUrl::parse error: the reason and how a
    /// Redis URL is written.
    static QString explainUrlError(const QString &error);

private:
    void validate();

    fanout::Scenario m_scenario;
    QSpinBox *m_nodes;
    QSpinBox *m_clients;
    QSpinBox *m_rooms;
    QSpinBox *m_roomsPerClient;
    QSpinBox *m_payload;
    QComboBox *m_balancer;
    QComboBox *m_broker;
    QLineEdit *m_url;
    QLabel *m_urlError;
};
