#include "nodeprocess.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

NodeProcess::~NodeProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

QString NodeProcess::program()
{
    return QStringLiteral(FANOUT_NODE_PATH);
}

bool NodeProcess::start(const QStringList &arguments, const QProcessEnvironment &environment)
{
    m_process.setProcessEnvironment(environment);
    m_process.setProcessChannelMode(m_keepStderr ? QProcess::SeparateChannels : QProcess::ForwardedErrorChannel);
    if (m_launcher.isEmpty())
        m_process.start(program(), arguments);
    else
        m_process.start(m_launcher.first(), m_launcher.mid(1) + QStringList {program()} + arguments);
    if (!m_process.waitForStarted(5000)) {
        m_error = m_process.errorString();
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("^listening ws://(.+):(\\d+)$"));
    static const QRegularExpression metrics(QStringLiteral("^metrics http://(.+):(\\d+)/metrics$"));
    const bool withMetrics = arguments.contains(QStringLiteral("--metrics-port"));
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (!m_process.canReadLine() && !m_process.waitForReadyRead(int(deadline.remainingTime()))) {
            m_error = QStringLiteral("fanout-node printed no listening line (exit code %1)").arg(m_process.exitCode());
            return false;
        }
        while (m_process.canReadLine()) {
            const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
            if (const auto match = listening.match(line); match.hasMatch())
                m_url = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(match.captured(2)));
            if (const auto match = metrics.match(line); match.hasMatch())
                m_metricsUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(match.captured(2)));
            if (!m_url.isEmpty() && (!withMetrics || !m_metricsUrl.isEmpty()))
                return true;
        }
    }
    m_error = QStringLiteral("fanout-node did not print its listening line in time");
    return false;
}

int NodeProcess::terminate(int timeoutMs)
{
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs))
        return -1;
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}
