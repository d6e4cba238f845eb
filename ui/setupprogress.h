#pragma once

#include "brokerwait.h"

#include <QObject>
#include <QPointer>

class QMessageBox;
class QProgressDialog;
class QWidget;

namespace fanout {
struct Scenario;
}

/// What the window shows while a new simulation sets up: a progress dialog; on a Redis, why the
/// fleet cannot connect yet (the connection error) and, past BrokerWait::TimeoutMs, a message
/// that gives up waiting and offers to retry or to use the in-process broker.
class SetUpProgress : public QObject
{
    Q_OBJECT
public:
    explicit SetUpProgress(QWidget *window);

    void start(const fanout::Scenario &scenario, const QString &redisUrl);
    /// The fleet is ready, or its set-up failed and said so: nothing more to show.
    void finish();
    BrokerWait &brokerWait() { return m_wait; }

signals:
    void retryRequested();
    void inProcessRequested();

private:
    void showReason(const QString &reason);
    void giveUp(const QString &reason);

    QWidget *m_window;
    QPointer<QProgressDialog> m_progress;
    QPointer<QMessageBox> m_failure;
    BrokerWait m_wait;
    QString m_broker;
};
