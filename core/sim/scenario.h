#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace fanout {

/// One timed fault or change in a scenario, executed at the start of the tick at `at` seconds.
struct ScenarioStep {
    enum class Action {
        KillNode,
        RestartNode,
        PartitionNode,
        HealNode,
        BrokerDown,
        BrokerUp,
        SlowClient,
        FastClient,
        PublishRate
    };
    double at = 0;
    Action action = Action::KillNode;
    int node = -1;
    int client = -1;
    double rate = 0;

    static QString actionName(Action action);
};

/// A simulation set-up: the fleet, the virtual clients, the traffic and the timed faults.
/// Read from JSON (docs/simulation.md lists every field); unknown fields are errors, so a typo
/// never silently falls back to a default.
struct Scenario {
    enum class Popularity { Uniform, Zipf, HotRoom };
    enum class Balancer { RoundRobin, LeastConnections };
    enum class SlowPolicy { Drop, Disconnect };

    static constexpr qint64 MaxMemberships = 10'000'000;

    QString name;
    QString description;
    quint64 seed = 1;
    double seconds = 10;

    int nodes = 3;
    int clients = 30;
    int rooms = 3;
    int roomsPerClient = 1;
    Popularity popularity = Popularity::Uniform;
    double zipfExponent = 1.0;
    double hotShare = 0.5;

    double publishRate = 100;
    int payloadBytes = 64;
    int senders = 0; ///< the first `senders` clients publish; 0 means every client

    Balancer balancer = Balancer::RoundRobin;
    int reconnectDelayMs = 500;
    int offlineQueue = 0;

    SlowPolicy slowPolicy = SlowPolicy::Drop;
    int slowQueueLimit = 100;
    double slowDrainRate = 10;

    int tickMs = 10;
    int settleMs = 1000;

    std::vector<ScenarioStep> steps;

    /// Parses a scenario; on failure *error says what is wrong and where (`source:line:column`
    /// for syntax, `source: field: problem` for content).
    static std::optional<Scenario> fromJson(const QByteArray &text, const QString &source,
                                            QString *error);
    /// A built-in scenario by name (see builtinNames()) or a JSON file by path.
    static std::optional<Scenario> load(const QString &nameOrPath, QString *error);
    static QStringList builtinNames();
};

}
