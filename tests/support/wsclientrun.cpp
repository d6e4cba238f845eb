#include "wsclientrun.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>

bool WsClientRun::run(const QUrl &url, const QString &name, int timeoutMs)
{
    m_observed = {};
    m_error.clear();
    const QString directory = QStringLiteral(FANOUT_WSCLIENT_DIR);
    // Checked first: without ws, Node.js would fail with a stack trace instead of this reason.
    if (!QFileInfo::exists(directory + QStringLiteral("/node_modules/ws/package.json"))) {
        m_error = QStringLiteral("the ws package is not installed in %1/node_modules: the build runs npm ci there "
                                 "when CMake found npm (scripts/setup.sh installs nodejs and npm; then reconfigure)")
                      .arg(directory);
        return false;
    }
    QProcess node;
    node.setWorkingDirectory(directory);
    node.start(QStringLiteral(FANOUT_NODEJS_PATH),
               {directory + QStringLiteral("/conformance.mjs"), url.toString(QUrl::StripTrailingSlash), name});
    if (!node.waitForStarted(5000)) {
        m_error = QStringLiteral("cannot run Node.js (%1): %2; scripts/setup.sh installs nodejs and npm")
                      .arg(QStringLiteral(FANOUT_NODEJS_PATH), node.errorString());
        return false;
    }
    if (!node.waitForFinished(timeoutMs)) {
        node.kill();
        node.waitForFinished(2000);
        m_error = QStringLiteral("conformance.mjs %1 did not finish within %2 ms; stderr: %3")
                      .arg(name)
                      .arg(timeoutMs)
                      .arg(QString::fromUtf8(node.readAllStandardError()));
        return false;
    }
    const QByteArray output = node.readAllStandardOutput().trimmed();
    const QString errors = QString::fromUtf8(node.readAllStandardError());
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0) {
        m_error = QStringLiteral("conformance.mjs %1 exited with %2; stderr: %3")
                      .arg(name)
                      .arg(node.exitCode())
                      .arg(errors);
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(output, &parseError);
    if (!document.isObject()) {
        m_error = QStringLiteral("conformance.mjs %1 printed no JSON object (%2): %3; stderr: %4")
                      .arg(name, parseError.errorString(), QString::fromUtf8(output), errors);
        return false;
    }
    m_observed = document.object();
    return true;
}
