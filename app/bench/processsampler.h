#pragma once

#include <QList>

/// CPU seconds (user + system) and resident memory of processes, read from /proc.
class ProcessSampler
{
public:
    /// CPU seconds used so far by each process, summed; -1 if one cannot be read.
    static double cpuSeconds(const QList<qint64> &pids);
    /// This process's own CPU seconds.
    static double ownCpuSeconds();
    /// The calling thread's CPU seconds.
    static double threadCpuSeconds();
    /// Resident set size in KiB, -1 if unreadable.
    static qint64 rssKiB(qint64 pid);
};
