#include "scenariowriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace fanout {

namespace {

template<typename Enum>
QString nameOf(const Scenario::Names<Enum> &names, Enum value)
{
    for (const auto &[name, entry] : names) {
        if (entry == value)
            return QLatin1String(name);
    }
    return {};
}

QJsonObject stepJson(const ScenarioStep &step)
{
    QJsonObject object {{"at", step.at}, {"action", ScenarioStep::actionName(step.action)}};
    switch (ScenarioStep::subjectOf(step.action)) {
    case ScenarioStep::Subject::Node:
        object.insert(QStringLiteral("node"), step.node);
        break;
    case ScenarioStep::Subject::Client:
        object.insert(QStringLiteral("client"), step.client);
        break;
    case ScenarioStep::Subject::Rate:
        object.insert(QStringLiteral("rate"), step.rate);
        break;
    case ScenarioStep::Subject::Fleet:
        break;
    }
    return object;
}

}

QJsonObject ScenarioWriter::toJson(const Scenario &s)
{
    QJsonObject object {
        {"name", s.name},
        {"seed", double(s.seed)},
        {"seconds", s.seconds},
        {"nodes", s.nodes},
        {"clients", s.clients},
        {"rooms", s.rooms},
        {"rooms_per_client", s.roomsPerClient},
        {"popularity", nameOf(Scenario::popularityNames(), s.popularity)},
        {"zipf_exponent", s.zipfExponent},
        {"hot_share", s.hotShare},
        {"publish_rate", s.publishRate},
        {"payload_bytes", s.payloadBytes},
        {"senders", s.senders},
        {"balancer", nameOf(Scenario::balancerNames(), s.balancer)},
        {"reconnect_delay_ms", s.reconnectDelayMs},
        {"offline_queue", s.offlineQueue},
        {"slow_policy", nameOf(Scenario::slowPolicyNames(), s.slowPolicy)},
        {"slow_queue_limit", s.slowQueueLimit},
        {"slow_drain_rate", s.slowDrainRate},
        {"tick_ms", s.tickMs},
        {"settle_ms", s.settleMs},
        {"delivery", Scenario::deliveryName(s.delivery)},
        {"history_size", s.historySize},
        {"users", s.users},
        {"direct_share", s.directShare},
        {"presence_ttl", s.presenceTtlSeconds},
    };
    if (!s.summary.isEmpty())
        object.insert(QStringLiteral("summary"), s.summary);
    if (!s.description.isEmpty())
        object.insert(QStringLiteral("description"), s.description);
    QJsonArray steps;
    for (const ScenarioStep &step : s.steps)
        steps.append(stepJson(step));
    object.insert(QStringLiteral("steps"), steps);
    if (!s.lesson.empty()) {
        QJsonArray lesson;
        for (const ScenarioCaption &caption : s.lesson)
            lesson.append(QJsonObject {{"at", caption.at}, {"title", caption.title}, {"text", caption.text}});
        object.insert(QStringLiteral("lesson"), lesson);
    }
    return object;
}

QByteArray ScenarioWriter::toText(const Scenario &scenario)
{
    return QJsonDocument(toJson(scenario)).toJson(QJsonDocument::Indented);
}

}
