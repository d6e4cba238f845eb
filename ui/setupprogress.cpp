#include "setupprogress.h"

#include "sim/scenario.h"
#include "sim/simulation.h"

#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>

SetUpProgress::SetUpProgress(QWidget *window) : QObject(window), m_window(window)
{
    connect(&m_wait, &BrokerWait::reasonChanged, this, &SetUpProgress::showReason);
    connect(&m_wait, &BrokerWait::timedOut, this, &SetUpProgress::giveUp);
}

void SetUpProgress::start(const fanout::Scenario &scenario, const QString &redisUrl)
{
    finish();
    const bool onRedis = !redisUrl.isEmpty();
    m_broker = fanout::Simulation::brokerName(redisUrl);
    m_progress = new QProgressDialog(
        onRedis ? tr("Connecting the fleet to %1...").arg(m_broker)
                : tr("Setting up %1 nodes and %2 clients...").arg(scenario.nodes).arg(scenario.clients),
        onRedis ? tr("Use the in-process broker") : QString(), 0, 0, m_window);
    m_progress->setObjectName(QStringLiteral("setUpProgress"));
    m_progress->setWindowModality(Qt::NonModal);
    m_progress->setMinimumDuration(300);
    if (!onRedis)
        return;
    connect(m_progress, &QProgressDialog::canceled, this, [this] {
        finish();
        emit inProcessRequested();
    });
    m_wait.start(redisUrl);
}

void SetUpProgress::finish()
{
    m_wait.stop();
    if (m_progress)
        m_progress->deleteLater();
    m_progress = nullptr;
}

void SetUpProgress::showReason(const QString &reason)
{
    if (!m_progress)
        return;
    m_progress->setLabelText(reason.isEmpty()
                                 ? tr("Connecting the fleet to %1...").arg(m_broker)
                                 : tr("Connecting the fleet to %1...\nNot reachable yet: %2").arg(m_broker, reason));
}

void SetUpProgress::giveUp(const QString &reason)
{
    finish();
    delete m_failure;
    m_failure = new QMessageBox(
        QMessageBox::Warning, tr("Cannot reach Redis"),
        tr("The fleet did not connect to %1 within %2 s.").arg(m_broker).arg(BrokerWait::TimeoutMs / 1000),
        QMessageBox::Retry | QMessageBox::Close, m_window);
    m_failure->setObjectName(QStringLiteral("connectFailedBox"));
    m_failure->setInformativeText(reason.isEmpty()
                                      ? tr("Redis answers, but the fleet has not finished setting up.")
                                      : tr("Reason: %1\n\nCheck that Redis runs there and that its address, "
                                           "password and TLS settings are right.")
                                            .arg(reason));
    QPushButton *inProcess = m_failure->addButton(tr("Use the in-process broker"), QMessageBox::AcceptRole);
    m_failure->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_failure, &QMessageBox::buttonClicked, this, [this, inProcess](QAbstractButton *button) {
        if (button == inProcess)
            emit inProcessRequested();
        else if (m_failure && button == m_failure->button(QMessageBox::Retry))
            emit retryRequested();
    });
    m_failure->open();
}
