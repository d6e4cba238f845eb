#include "scenario.h"

#include "fieldreader.h"
#include "node/clientprotocol.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace fanout {

namespace {

QString lineAndColumn(const QByteArray &text, int offset)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("%1:%2").arg(line).arg(column);
}

QString scenarioDirectory()
{
    return QStringLiteral(":/scenarios");
}

}

ScenarioStep::Subject ScenarioStep::subjectOf(Action action)
{
    switch (action) {
    case Action::KillNode:
    case Action::RestartNode:
    case Action::PartitionNode:
    case Action::HealNode:
    case Action::CutSubscription:
        return Subject::Node;
    case Action::SlowClient:
    case Action::FastClient:
    case Action::DisconnectClient:
        return Subject::Client;
    case Action::PublishRate:
        return Subject::Rate;
    case Action::BrokerDown:
    case Action::BrokerUp:
        break;
    }
    return Subject::Fleet;
}

QString ScenarioStep::actionName(Action action)
{
    for (const auto &[name, value] : Scenario::actionNames()) {
        if (value == action)
            return QLatin1String(name);
    }
    return {};
}

const Scenario::Names<ScenarioStep::Action> &Scenario::actionNames()
{
    static const Names<ScenarioStep::Action> names {
        {"kill_node", ScenarioStep::Action::KillNode},
        {"restart_node", ScenarioStep::Action::RestartNode},
        {"partition_node", ScenarioStep::Action::PartitionNode},
        {"heal_node", ScenarioStep::Action::HealNode},
        {"broker_down", ScenarioStep::Action::BrokerDown},
        {"broker_up", ScenarioStep::Action::BrokerUp},
        {"cut_subscription", ScenarioStep::Action::CutSubscription},
        {"slow_client", ScenarioStep::Action::SlowClient},
        {"fast_client", ScenarioStep::Action::FastClient},
        {"disconnect_client", ScenarioStep::Action::DisconnectClient},
        {"publish_rate", ScenarioStep::Action::PublishRate},
    };
    return names;
}

const Scenario::Names<Scenario::Popularity> &Scenario::popularityNames()
{
    static const Names<Popularity> names {
        {"uniform", Popularity::Uniform}, {"zipf", Popularity::Zipf}, {"hot", Popularity::HotRoom}};
    return names;
}

const Scenario::Names<Scenario::Balancer> &Scenario::balancerNames()
{
    static const Names<Balancer> names {{"round_robin", Balancer::RoundRobin},
                                        {"least_connections", Balancer::LeastConnections}};
    return names;
}

const Scenario::Names<Scenario::SlowPolicy> &Scenario::slowPolicyNames()
{
    static const Names<SlowPolicy> names {{"drop", SlowPolicy::Drop}, {"disconnect", SlowPolicy::Disconnect}};
    return names;
}

const Scenario::Names<Scenario::Delivery> &Scenario::deliveryNames()
{
    static const Names<Delivery> names {
        {"pubsub", Delivery::PubSub}, {"streams", Delivery::Streams}, {"both", Delivery::Both}};
    return names;
}

QStringList Scenario::builtinNames()
{
    QStringList names;
    for (const QFileInfo &file :
         QDir(scenarioDirectory()).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        names.append(file.completeBaseName());
    return names;
}

QString Scenario::deliveryName(Delivery delivery)
{
    for (const auto &[name, value] : deliveryNames()) {
        if (value == delivery)
            return QLatin1String(name);
    }
    return {};
}

std::vector<Scenario> Scenario::fleets() const
{
    if (delivery != Delivery::Both)
        return {*this};
    std::vector<Scenario> pair;
    for (const Delivery mode : {Delivery::PubSub, Delivery::Streams}) {
        Scenario &fleetScenario = pair.emplace_back(*this);
        fleetScenario.delivery = mode;
        fleetScenario.fleet = deliveryName(mode);
    }
    return pair;
}

std::optional<Scenario> Scenario::load(const QString &nameOrPath, QString *error)
{
    QString path = nameOrPath;
    if (!nameOrPath.contains(QLatin1Char('/')) && !nameOrPath.endsWith(QLatin1String(".json"))) {
        path = scenarioDirectory() + QLatin1Char('/') + nameOrPath + QStringLiteral(".json");
        if (!QFile::exists(path)) {
            *error = QStringLiteral("no built-in scenario \"%1\" (built-in: %2; or give a .json file)")
                         .arg(nameOrPath, builtinNames().join(QLatin1String(", ")));
            return std::nullopt;
        }
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(nameOrPath, file.errorString());
        return std::nullopt;
    }
    auto scenario = fromJson(file.readAll(), nameOrPath, error);
    if (scenario && scenario->name.isEmpty())
        scenario->name = QFileInfo(path).completeBaseName();
    return scenario;
}

namespace {

const QStringList &scenarioFields()
{
    static const QStringList fields {"name",
                                     "summary",
                                     "description",
                                     "seed",
                                     "seconds",
                                     "nodes",
                                     "clients",
                                     "rooms",
                                     "rooms_per_client",
                                     "popularity",
                                     "zipf_exponent",
                                     "hot_share",
                                     "publish_rate",
                                     "payload_bytes",
                                     "senders",
                                     "balancer",
                                     "reconnect_delay_ms",
                                     "offline_queue",
                                     "slow_policy",
                                     "slow_queue_limit",
                                     "slow_drain_rate",
                                     "tick_ms",
                                     "settle_ms",
                                     "delivery",
                                     "history_size",
                                     "users",
                                     "direct_share",
                                     "presence_ttl",
                                     "steps",
                                     "lesson"};
    return fields;
}

void readFleetAndTraffic(FieldReader &reader, Scenario &s)
{
    reader.string("name", &s.name);
    reader.string("summary", &s.summary);
    reader.string("description", &s.description);
    double seed = double(s.seed);
    reader.number("seed", &seed, 0, 9007199254740991.0);
    s.seed = quint64(seed);
    reader.number("seconds", &s.seconds, 0.01, 86400);
    reader.integer("nodes", &s.nodes, 1, 256);
    reader.integer("clients", &s.clients, 0, 10000000);
    reader.integer("rooms", &s.rooms, 1, 1000000);
    // Virtual clients speak typed mode, whose connections hold at most this many rooms.
    reader.integer("rooms_per_client", &s.roomsPerClient, 1, int(ClientProtocol::MaxRoomsPerSession));
    reader.choice("popularity", &s.popularity, Scenario::popularityNames());
    reader.number("zipf_exponent", &s.zipfExponent, 0, 10);
    reader.number("hot_share", &s.hotShare, 0, 1);
    reader.number("publish_rate", &s.publishRate, 0, 10000000);
    reader.integer("payload_bytes", &s.payloadBytes, 2, 1024 * 1024);
    reader.integer("senders", &s.senders, 0, 10000000);
}

void readBehaviour(FieldReader &reader, Scenario &s)
{
    reader.choice("balancer", &s.balancer, Scenario::balancerNames());
    reader.integer("reconnect_delay_ms", &s.reconnectDelayMs, 0, 600000);
    reader.integer("offline_queue", &s.offlineQueue, 0, 10000000);
    reader.choice("slow_policy", &s.slowPolicy, Scenario::slowPolicyNames());
    reader.integer("slow_queue_limit", &s.slowQueueLimit, 1, 10000000);
    reader.number("slow_drain_rate", &s.slowDrainRate, 0.1, 10000000);
    reader.integer("tick_ms", &s.tickMs, 1, 1000);
    reader.integer("settle_ms", &s.settleMs, 0, 600000);
    reader.choice("delivery", &s.delivery, Scenario::deliveryNames());
    reader.integer("history_size", &s.historySize, 1, 10000000);
    reader.integer("users", &s.users, 0, 10000000);
    reader.number("direct_share", &s.directShare, 0, 1);
    reader.integer("presence_ttl", &s.presenceTtlSeconds, 2, 86400);
    if (reader.ok() && s.users > s.clients)
        reader.fail(QStringLiteral("users"), QStringLiteral("is larger than clients (%1)").arg(s.clients));
    if (reader.ok() && s.directShare > 0 && s.users == 0)
        reader.fail(QStringLiteral("direct_share"), QStringLiteral("needs users: direct messages go to users"));
    if (reader.ok() && s.roomsPerClient > s.rooms)
        reader.fail(QStringLiteral("rooms_per_client"), QStringLiteral("is larger than rooms (%1)").arg(s.rooms));
    if (reader.ok() && qint64(s.clients) * s.roomsPerClient > Scenario::MaxMemberships)
        reader.fail(QStringLiteral("rooms_per_client"),
                    QStringLiteral("clients x rooms_per_client is over %1 memberships").arg(Scenario::MaxMemberships));
    if (reader.ok() && s.senders > s.clients)
        reader.fail(QStringLiteral("senders"), QStringLiteral("is larger than clients (%1)").arg(s.clients));
}

/// Reads steps[index]; on a problem sets *problem and returns nothing.
std::optional<ScenarioStep> readStep(const QJsonValue &value, qsizetype index, const Scenario &s, QString *problem)
{
    if (!value.isObject()) {
        *problem = QStringLiteral("steps[%1]: must be an object").arg(index);
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();
    FieldReader reader(object, QStringLiteral("steps[%1].").arg(index), problem);
    reader.checkKnown({"at", "action", "node", "client", "rate"});
    if (!object.contains(QLatin1String("at")) || !object.contains(QLatin1String("action"))) {
        reader.fail(QStringLiteral("at/action"), QStringLiteral("a step needs \"at\" (seconds) and \"action\""));
        return std::nullopt;
    }
    ScenarioStep step;
    reader.number("at", &step.at, 0, 86400);
    reader.choice("action", &step.action, Scenario::actionNames());
    reader.integer("node", &step.node, -1, s.nodes - 1);
    reader.integer("client", &step.client, -1, std::max(0, s.clients - 1));
    reader.number("rate", &step.rate, 0, 10000000);
    const ScenarioStep::Subject subject = ScenarioStep::subjectOf(step.action);
    const QString action = ScenarioStep::actionName(step.action);
    if (reader.ok() && subject == ScenarioStep::Subject::Node && step.node < 0)
        reader.fail(QStringLiteral("node"),
                    QStringLiteral("%1 needs a node index (0-%2)").arg(action).arg(s.nodes - 1));
    if (reader.ok() && subject == ScenarioStep::Subject::Client && step.client < 0)
        reader.fail(QStringLiteral("client"), QStringLiteral("%1 needs a client index").arg(action));
    if (reader.ok() && subject == ScenarioStep::Subject::Rate && !object.contains(QLatin1String("rate")))
        reader.fail(QStringLiteral("rate"), QStringLiteral("publish_rate needs \"rate\""));
    if (!reader.ok())
        return std::nullopt;
    return step;
}

void readSteps(const QJsonObject &root, FieldReader &reader, Scenario &s, QString *problem)
{
    const QJsonValue steps = root.value(QLatin1String("steps"));
    if (reader.ok() && !steps.isUndefined() && !steps.isArray())
        reader.fail(QStringLiteral("steps"), QStringLiteral("must be an array"));
    const QJsonArray stepArray = steps.toArray();
    for (qsizetype i = 0; reader.ok() && i < stepArray.size(); ++i) {
        const std::optional<ScenarioStep> step = readStep(stepArray.at(i), i, s, problem);
        if (!step)
            return;
        s.steps.push_back(*step);
    }
    std::stable_sort(s.steps.begin(), s.steps.end(),
                     [](const ScenarioStep &a, const ScenarioStep &b) { return a.at < b.at; });
}

/// A lesson's caption: a short title and two or three sentences, shown in a banner.
std::optional<ScenarioCaption> readCaption(const QJsonValue &value, qsizetype index, const Scenario &s,
                                           QString *problem)
{
    const QString path = QStringLiteral("lesson[%1]").arg(index);
    if (!value.isObject()) {
        *problem = path + QStringLiteral(": must be an object");
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();
    FieldReader reader(object, path + QLatin1Char('.'), problem);
    reader.checkKnown({"at", "title", "text"});
    ScenarioCaption caption;
    reader.number("at", &caption.at, 0, s.seconds);
    reader.string("title", &caption.title);
    reader.string("text", &caption.text);
    if (reader.ok() && (caption.title.isEmpty() || caption.title.size() > 80))
        reader.fail(QStringLiteral("title"), QStringLiteral("needs 1 to 80 characters"));
    if (reader.ok() && (caption.text.isEmpty() || caption.text.size() > 600))
        reader.fail(QStringLiteral("text"), QStringLiteral("needs 1 to 600 characters"));
    if (!reader.ok())
        return std::nullopt;
    return caption;
}

void readLesson(const QJsonObject &root, FieldReader &reader, Scenario &s, QString *problem)
{
    const QJsonValue lesson = root.value(QLatin1String("lesson"));
    if (reader.ok() && !lesson.isUndefined() && !lesson.isArray())
        reader.fail(QStringLiteral("lesson"), QStringLiteral("must be an array"));
    const QJsonArray captions = lesson.toArray();
    for (qsizetype i = 0; reader.ok() && i < captions.size(); ++i) {
        const std::optional<ScenarioCaption> caption = readCaption(captions.at(i), i, s, problem);
        if (!caption)
            return;
        s.lesson.push_back(*caption);
    }
    std::stable_sort(s.lesson.begin(), s.lesson.end(),
                     [](const ScenarioCaption &a, const ScenarioCaption &b) { return a.at < b.at; });
}

}

std::optional<Scenario> Scenario::fromJson(const QByteArray &text, const QString &source, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error
            = QStringLiteral("%1:%2: %3").arg(source, lineAndColumn(text, parseError.offset), parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("%1: a scenario is a JSON object").arg(source);
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    QString problem;
    Scenario s;
    FieldReader reader(root, QString(), &problem);
    reader.checkKnown(scenarioFields());
    readFleetAndTraffic(reader, s);
    readBehaviour(reader, s);
    readSteps(root, reader, s, &problem);
    readLesson(root, reader, s, &problem);
    if (!problem.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(source, problem);
        return std::nullopt;
    }
    return s;
}

}
