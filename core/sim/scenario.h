#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

namespace fanout {

/// One fault or change: a timed step of a scenario (run at the start of the tick at `at`
/// seconds), or the same thing asked for from the studio's menus. Simulation::apply() is the
/// one place that carries it out.
struct ScenarioStep {
    enum class Action {
        KillNode,
        RestartNode,
        PartitionNode,
        HealNode,
        BrokerDown,
        BrokerUp,
        CutSubscription,
        SlowClient,
        FastClient,
        DisconnectClient,
        PublishRate
    };
    /// What an action needs besides itself.
    enum class Subject {
        Fleet,
        Node,
        Client,
        Rate
    };

    double at = 0;
    Action action = Action::KillNode;
    int node = -1;
    int client = -1;
    double rate = 0;

    static ScenarioStep now(Action action) { return {0, action, -1, -1, 0}; }
    static ScenarioStep onNode(Action action, int node) { return {0, action, node, -1, 0}; }
    static ScenarioStep onClient(Action action, int client) { return {0, action, -1, client, 0}; }
    static ScenarioStep withRate(double rate) { return {0, Action::PublishRate, -1, -1, rate}; }

    /// The name used in scenario files, e.g. "kill_node".
    static QString actionName(Action action);
    static Subject subjectOf(Action action);
};

/// A caption of a lesson: at `at` seconds the studio pauses the run and shows it until the
/// learner asks for the next step.
struct ScenarioCaption {
    double at = 0;
    QString title;
    QString text;
};

/// A simulation set-up: the fleet, the virtual clients, the traffic and the timed faults.
/// Read from JSON (docs/simulation.md lists every field); unknown fields are errors, so a typo
/// never silently falls back to a default.
struct Scenario {
    enum class Popularity {
        Uniform,
        Zipf,
        HotRoom
    };
    enum class Balancer {
        RoundRobin,
        LeastConnections
    };
    enum class SlowPolicy {
        Drop,
        Disconnect
    };
    /// How rooms carry messages: plain pub/sub (fire and forget, local-only fallback), or
    /// streams (every room a history, gaps filled from it); Both runs one fleet of each side by
    /// side on the same seed, traffic and faults.
    enum class Delivery {
        PubSub,
        Streams,
        Both
    };

    static constexpr qint64 MaxMemberships = 10'000'000;

    QString name;
    QString summary; ///< one line for lists (--list-scenarios, the toolbar); may be empty
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

    Delivery delivery = Delivery::PubSub;
    int historySize = 1000; ///< entries kept per room in streams mode

    /// Users the clients belong to: client i is user (i % users); 0: anonymous clients.
    int users = 0;
    /// The share of publishes that are direct messages to a user instead of room messages.
    double directShare = 0;
    int presenceTtlSeconds = 60;
    /// Set on each fleet of a side-by-side run ("pubsub", "streams"): its nodes are named
    /// after it and its channels carry it, so two fleets can share one Redis.
    QString fleet;

    std::vector<ScenarioStep> steps;
    std::vector<ScenarioCaption> lesson; ///< in time order

    /// The names scenario files give the enumerations, for the reader and the writer.
    template<typename Enum>
    using Names = std::vector<std::pair<const char *, Enum>>;
    static const Names<Popularity> &popularityNames();
    static const Names<Balancer> &balancerNames();
    static const Names<SlowPolicy> &slowPolicyNames();
    static const Names<Delivery> &deliveryNames();
    static const Names<ScenarioStep::Action> &actionNames();

    /// Parses a scenario; on failure *error says what is wrong and where (`source:line:column`
    /// for syntax, `source: field: problem` for content).
    static std::optional<Scenario> fromJson(const QByteArray &text, const QString &source, QString *error);
    /// A built-in scenario by name (see builtinNames()) or a JSON file by path.
    static std::optional<Scenario> load(const QString &nameOrPath, QString *error);
    static QStringList builtinNames();
    /// "pubsub", "streams" or "both", as scenario files spell it.
    static QString deliveryName(Delivery delivery);

    /// The fleets this scenario runs: itself, or for Delivery::Both one scenario per mode
    /// (pub/sub first), each with its `fleet` set.
    std::vector<Scenario> fleets() const;
};

}
