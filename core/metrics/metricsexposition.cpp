#include "metricsexposition.h"

#include "broker/broker.h"

#include <array>

namespace fanout {

namespace {

constexpr std::array<double, 14> BucketBoundsSeconds {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        m_out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    void sample(const QByteArray &name, double value, const QByteArray &labels = {})
    {
        m_out.append(name);
        if (!labels.isEmpty())
            m_out.append('{').append(labels).append('}');
        m_out.append(' ').append(QByteArray::number(value, 'g', 17)).append('\n');
    }
    void single(const char *name, const char *type, const char *help, double value)
    {
        family(name, type, help);
        sample(name, value);
    }
    template<typename Map>
    void labelled(const char *name, const char *help, const char *label, const Map &counts)
    {
        family(name, "counter", help);
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            sample(name, double(it.value()), QByteArray(label) + "=\"" + escaped(key(it.key())) + '"');
    }
    void histogram(const char *name, const char *help, const LatencyHistogram &histogram)
    {
        family(name, "histogram", help);
        const QByteArray bucket = QByteArray(name) + "_bucket";
        for (const double bound : BucketBoundsSeconds) {
            sample(bucket, double(histogram.countAtMost(qint64(bound * 1e9))),
                   "le=\"" + QByteArray::number(bound, 'g', 6) + '"');
        }
        sample(bucket, double(histogram.count()), "le=\"+Inf\"");
        sample(QByteArray(name) + "_sum", double(histogram.sumNs()) / 1e9);
        sample(QByteArray(name) + "_count", double(histogram.count()));
    }
    QByteArray text() const { return m_out; }

private:
    static QByteArray key(const QString &text) { return text.toUtf8(); }
    static QByteArray key(int number) { return QByteArray::number(number); }
    static QByteArray escaped(QByteArray value)
    {
        return value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    }

    QByteArray m_out;
};

}

QByteArray MetricsExposition::render(const NodeMetrics &metrics, const Broker &broker)
{
    Writer out;
    out.family("fanout_connections", "gauge", "Open WebSocket connections, by protocol.");
    out.sample("fanout_connections", double(metrics.edge.roomConnections), "protocol=\"room\"");
    out.sample("fanout_connections", double(metrics.edge.typedConnections), "protocol=\"typed\"");
    out.single("fanout_rooms", "gauge", "Rooms with a member on this node.", double(metrics.rooms.size()));
    out.single("fanout_subscribed_channels", "gauge", "Channels this node's broker connection is subscribed to.",
               double(broker.subscriptions().size()));
    out.single("fanout_messages_published_total", "counter", "Messages this node handed to the broker.",
               double(metrics.node.published));
    out.single("fanout_messages_received_total", "counter", "Messages that arrived from the broker.",
               double(broker.stats().messagesReceived));
    out.single("fanout_messages_delivered_total", "counter", "Frames written to local sockets.",
               double(metrics.node.deliveries));
    out.single("fanout_messages_wasted_total", "counter", "Messages from the broker for a room with no local member.",
               double(metrics.node.wastedMessages));
    out.single("fanout_messages_malformed_total", "counter", "Messages from the broker that were not an envelope.",
               double(metrics.node.malformedMessages));
    out.single("fanout_broker_connected", "gauge", "1 while the broker connection is up.",
               broker.state() == Broker::State::Connected ? 1 : 0);
    out.single("fanout_broker_reconnects_total", "counter", "Times the broker connection came back.",
               double(broker.stats().reconnects));
    out.single("fanout_offline_queue_depth", "gauge",
               "Publishes parked while the broker is not connected (or, for one round trip, until a subscription is "
               "confirmed).",
               double(broker.offlineQueueDepth()));
    out.single("fanout_offline_queue_dropped_total", "counter", "Parked publishes dropped because the queue was full.",
               double(broker.stats().publishesDropped));
    out.single("fanout_slow_client_disconnects_total", "counter",
               "Clients closed with 1008 for not reading what they were sent.", double(metrics.edge.slowClientCloses));
    out.labelled("fanout_frames_rejected_total", "Client frames answered with an error frame, by error code.", "code",
                 metrics.rejectedFrames);
    out.labelled("fanout_protocol_closes_total",
                 "Connections closed for a frame that broke the protocol, by close code.", "code",
                 metrics.edge.protocolCloses);
    out.labelled("fanout_upgrades_refused_total", "Upgrade requests refused, by HTTP status.", "status",
                 metrics.edge.refusedUpgrades);
    out.single("fanout_rate_limit_disconnects_total", "counter",
               "Connections closed with 4029 for flooding past --max-publish-rate.", double(metrics.floodCloses));
    out.histogram("fanout_publish_round_trip_seconds", "From publishing a message to the broker's reply.",
                  metrics.publishRoundTrip);
    out.histogram("fanout_pubsub_lag_seconds", "From an envelope's ts to its arrival from the broker.",
                  metrics.pubsubLag);
    return out.text();
}

}
