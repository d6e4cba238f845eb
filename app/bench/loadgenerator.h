#pragma once

#include "benchoptions.h"
#include "metrics/latencyhistogram.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <vector>

class QWebSocket;

/// Drives the load: opens the clients (a bounded number of handshakes at a time), warms up,
/// sends for the measured window at the open-loop rate (or closed loop: each sender waits for
/// its own message to come back), drains, then reports. Every payload carries its sender, a
/// sequence number and the send time on this process's monotonic clock, so each receiver
/// counts deliveries, duplicates and latency exactly.
class LoadGenerator : public QObject
{
    Q_OBJECT
public:
    static constexpr int ConcurrentHandshakes = 200;
    static constexpr int ConnectTimeoutMs = 60000;
    static constexpr int DrainMs = 2000;

    explicit LoadGenerator(const BenchOptions &options, QObject *parent = nullptr);
    ~LoadGenerator() override;

    void start();

signals:
    void finished(const QJsonObject &result);
    void failed(const QString &message);

private:
    struct Client {
        QWebSocket *socket = nullptr;
        int room = 0;
        QSet<quint64> seen;
    };
    enum class Phase {
        Connecting,
        Warmup,
        Measuring,
        Draining,
        Done
    };

    void connectMore();
    void onConnected();
    void beginLoad();
    void tick();
    void send(int sender);
    void onMessage(int receiver, const QString &text);
    void finish();
    QJsonObject idleResult();

    BenchOptions m_options;
    std::vector<Client> m_clients;
    std::vector<int> m_roomSizes;
    std::vector<quint32> m_nextSequence;
    int m_opened = 0;
    int m_connected = 0;
    Phase m_phase = Phase::Connecting;
    QElapsedTimer m_clock;
    qint64 m_measureStartNs = 0;
    qint64 m_measureEndNs = 0;
    QTimer m_ticker;
    quint64 m_sentTotal = 0;
    int m_nextSender = 0;
    quint64 m_sent = 0;
    quint64 m_expected = 0;
    quint64 m_delivered = 0;
    quint64 m_duplicates = 0;
    quint64 m_malformed = 0;
    fanout::LatencyHistogram m_latency;
    double m_serverCpuStart = 0;
    double m_ownCpuStart = 0;
    qint64 m_rssBefore = -1;
    QString m_padding;
};
