#include "processsampler.h"

#include <QFile>

#include <ctime>

#include <unistd.h>

namespace {

double cpuOf(const QString &statPath)
{
    QFile file(statPath);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = file.readAll();
    // Fields after the command name, which may hold spaces: it ends at the last ')'.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    const double ticks = double(fields.at(11).toLongLong() + fields.at(12).toLongLong()); // utime, stime
    return ticks / double(sysconf(_SC_CLK_TCK));
}

}

double ProcessSampler::cpuSeconds(const QList<qint64> &pids)
{
    double total = 0;
    for (const qint64 pid : pids) {
        const double seconds = cpuOf(QStringLiteral("/proc/%1/stat").arg(pid));
        if (seconds < 0)
            return -1;
        total += seconds;
    }
    return total;
}

double ProcessSampler::ownCpuSeconds()
{
    return cpuOf(QStringLiteral("/proc/self/stat"));
}

double ProcessSampler::threadCpuSeconds()
{
    timespec now {};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0)
        return -1;
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

qint64 ProcessSampler::rssKiB(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
