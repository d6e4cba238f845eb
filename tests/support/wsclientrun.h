#pragma once

#include <QJsonObject>
#include <QString>
#include <QUrl>

/// One case of tests/wsclient/conformance.mjs: the `ws` npm client, run by Node.js from the build
/// tree where CMake installed it, against a running node. A missing Node.js or `ws` is an error
/// with a message, never a skip.
class WsClientRun
{
public:
    /// Runs `node conformance.mjs URL CASE`; true once it printed its JSON line and exited 0,
    /// otherwise false with errorString() (what failed, and the script's stderr).
    bool run(const QUrl &url, const QString &name, int timeoutMs = 10000);
    /// What the case observed, as the script printed it.
    QJsonObject observed() const { return m_observed; }
    QString errorString() const { return m_error; }

private:
    QJsonObject m_observed;
    QString m_error;
};
