#pragma once

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

namespace fanout {
class ThreadedNodeServer;
}

/// fanout-node's operations port (`--metrics-port`): GET /metrics (Prometheus text), /healthz
/// (the process serves) and /readyz (200 only while the broker is connected and every channel
/// of the node's rooms is subscribed and confirmed, 503 with the reason otherwise, and from the
/// start of a drain). docs/operations.md.
class OpsEndpoint : public QObject
{
    Q_OBJECT
public:
    explicit OpsEndpoint(fanout::ThreadedNodeServer *server, QObject *parent = nullptr);

    /// False when the port cannot be bound.
    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }
    /// From here on /readyz answers 503 "draining".
    void startDraining() { m_draining = true; }
    /// Why the node is not ready; empty when it is.
    QString notReadyReason() const;

private:
    fanout::ThreadedNodeServer *m_server;
    QHttpServer m_http;
    quint16 m_port = 0;
    bool m_draining = false;
};
