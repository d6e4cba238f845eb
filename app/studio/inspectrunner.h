#pragma once

#include <QObject>

struct StudioOptions;

/// `fanout-studio --inspect URL [--json]`: connects read-only, takes one snapshot of the Redis's
/// pub/sub state, prints it (a summary for a person, or with --json the whole snapshot as JSON)
/// and quits (0), or says why it could not (1).
class InspectRunner : public QObject
{
    Q_OBJECT
public:
    static constexpr int ConnectTimeoutMs = 5000;

    explicit InspectRunner(QObject *parent = nullptr) : QObject(parent) { }
    /// Returns an exit code when it cannot start, or -1 when it will quit the application.
    int start(const StudioOptions &options);

private:
    QString m_lastError;
};
