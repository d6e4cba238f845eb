#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QUrl>

/// A fanout-node child process, started and read like a deployment script would.
class NodeProcess
{
public:
    NodeProcess() = default;
    ~NodeProcess();

    static QString program();

    /// Starts the node and waits for its `listening ws://HOST:PORT` line (and with
    /// --metrics-port for its `metrics http://HOST:PORT/metrics` line).
    bool start(const QStringList &arguments,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    /// Starts the node through a launcher, such as {"prlimit", "--nofile=64:64"}.
    void setLauncher(const QStringList &launcher) { m_launcher = launcher; }
    /// Keeps stderr for process().readAllStandardError() instead of forwarding it.
    void keepStderr() { m_keepStderr = true; }
    /// ws://127.0.0.1:PORT of the listener.
    QUrl url() const { return m_url; }
    /// http://127.0.0.1:PORT of the operations port, when started with --metrics-port.
    QUrl metricsUrl() const { return m_metricsUrl; }
    QString errorString() const { return m_error; }
    QProcess &process() { return m_process; }
    /// SIGTERM, then waits; returns the exit code (-1 if it did not stop in time).
    int terminate(int timeoutMs = 5000);

private:
    QProcess m_process;
    QUrl m_url;
    QUrl m_metricsUrl;
    QString m_error;
    QStringList m_launcher;
    bool m_keepStderr = false;
};
