#include "benchoptions.h"
#include "loadgenerator.h"
#include "presencebench.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>
#include <memory>

#include <sys/resource.h>

namespace {

/// Raises the soft limit of open files to the hard one: thousands of connections need a
/// descriptor each, and the soft limit is often 1024. Returns the limit now in force.
rlim_t raiseOpenFileLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur;
}

/// Connects a run's finished and failed signals to the output and the exit code.
template<typename Run>
void report(Run *run, QCoreApplication *app)
{
    QObject::connect(run, &Run::finished, app, [](const QJsonObject &result) {
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QCoreApplication::exit(0);
    });
    QObject::connect(run, &Run::failed, app, [](const QString &message) {
        std::fprintf(stderr, "fanout-bench: %s\n", qPrintable(message));
        QCoreApplication::exit(1);
    });
}

}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    BenchOptions options;
    const BenchOptions::ParseResult parsed = BenchOptions::parse(app.arguments(), &options);
    if (parsed.outcome == BenchOptions::Outcome::ExitOk) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (parsed.outcome == BenchOptions::Outcome::ExitError) {
        std::fprintf(stderr, "fanout-bench: %s\nTry 'fanout-bench --help'.\n", qPrintable(parsed.message));
        return 2;
    }
    // Room for Qt's own descriptors and the Redis connection besides the clients.
    const rlim_t needed = rlim_t(std::max({options.clients, options.idleConnections, options.presenceUsers})) + 64;
    if (const rlim_t limit = raiseOpenFileLimit(); limit < needed) {
        std::fprintf(stderr,
                     "fanout-bench: %llu connections need about %llu open files, and the hard limit is %llu "
                     "(ulimit -Hn); raise it\n",
                     static_cast<unsigned long long>(needed - 64), static_cast<unsigned long long>(needed),
                     static_cast<unsigned long long>(limit));
        return 2;
    }
    // Destroyed before the application: they close their sockets while the event loop's objects live.
    std::unique_ptr<PresenceBench> presence;
    std::unique_ptr<LoadGenerator> load;
    if (options.presenceUsers > 0) {
        presence = std::make_unique<PresenceBench>(options);
        report(presence.get(), &app);
        presence->start();
    } else {
        load = std::make_unique<LoadGenerator>(options);
        report(load.get(), &app);
        load->start();
    }
    return app.exec();
}
