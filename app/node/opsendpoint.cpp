#include "opsendpoint.h"

#include "broker/broker.h"
#include "metrics/metricsexposition.h"
#include "transport/threadednodeserver.h"

#include <QHttpServerResponse>

namespace {

QHttpServerResponse text(const QByteArray &body, QHttpServerResponse::StatusCode status)
{
    return QHttpServerResponse("text/plain; charset=utf-8", body, status);
}

}

OpsEndpoint::OpsEndpoint(fanout::ThreadedNodeServer *server, QObject *parent) : QObject(parent), m_server(server)
{
    m_http.route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this] {
        const QByteArray body = fanout::MetricsExposition::render(m_server->metrics(), *m_server->broker());
        return QHttpServerResponse(fanout::MetricsExposition::ContentType, body);
    });
    m_http.route(QStringLiteral("/healthz"), QHttpServerRequest::Method::Get,
                 [] { return text("ok\n", QHttpServerResponse::StatusCode::Ok); });
    m_http.route(QStringLiteral("/readyz"), QHttpServerRequest::Method::Get, [this] {
        const QString reason = notReadyReason();
        if (reason.isEmpty())
            return text("ready\n", QHttpServerResponse::StatusCode::Ok);
        return text(reason.toUtf8() + '\n', QHttpServerResponse::StatusCode::ServiceUnavailable);
    });
}

bool OpsEndpoint::listen(const QHostAddress &address, quint16 port)
{
    m_port = m_http.listen(address, port);
    return m_port != 0;
}

QString OpsEndpoint::notReadyReason() const
{
    if (m_draining)
        return QStringLiteral("draining");
    const fanout::Broker &broker = *m_server->broker();
    if (broker.state() != fanout::Broker::State::Connected)
        return QStringLiteral("broker not connected");
    if (broker.pendingSubscribes() > 0)
        return QStringLiteral("%1 subscriptions not confirmed yet").arg(broker.pendingSubscribes());
    const QSet<QByteArray> subscribed = broker.subscriptions();
    qsizetype missing = 0;
    for (const QByteArray &channel : m_server->metrics().roomChannels)
        missing += !subscribed.contains(channel);
    if (missing > 0)
        return QStringLiteral("%1 channels of local rooms not subscribed").arg(missing);
    return {};
}
