#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

/// What `fanout-studio --inspect url --json` prints; an empty object (and its stderr as a
/// warning) when it fails. For the tests whose target defines FANOUT_STUDIO_PATH.
inline QJsonObject inspectJson(const QString &url)
{
    QProcess process;
    process.start(QStringLiteral(FANOUT_STUDIO_PATH), {QStringLiteral("--inspect"), url, QStringLiteral("--json")});
    if (!process.waitForFinished(15000) || process.exitCode() != 0) {
        qWarning("%s", process.readAllStandardError().constData());
        return {};
    }
    return QJsonDocument::fromJson(process.readAllStandardOutput()).object();
}
