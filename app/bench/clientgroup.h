#pragma once

#include "benchframes.h"
#include "benchoptions.h"
#include "clientplacement.h"
#include "metrics/latencyhistogram.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <vector>

class QWebSocket;

/// One thread's share of fanout-bench's load clients, meant to live on a QThread of its own:
/// Qt polls every socket of a thread on each event-loop turn and one thread reads every
/// delivery, so a single thread becomes the bench's limit long before the fleet's. open()
/// connects its clients (connected() once all are), beginLoad() sends its senders' share of
/// the rate on a 1 ms ticker (or closed loop) over the window. Every payload carries its global
/// sender, a sequence number and the send time on the clock all groups share, so each receiver
/// counts deliveries, duplicates and latency exactly whichever thread sent. The ticker also
/// measures how late this thread's event loop runs, the bench's own sign of falling behind.
/// With --reconnect a client whose connection is lost connects again to the next node (a typed
/// client resumes its room with `since`, then sends again what it sent on the lost connection
/// and never saw come back); what a sender owes while it is offline is not sent (`unsent`).
class ClientGroup : public QObject
{
    Q_OBJECT
public:
    /// Times on the shared clock: sending starts at startNs; what is sent in [measureStartNs,
    /// measureEndNs) is measured.
    struct Window {
        qint64 startNs = 0;
        qint64 measureStartNs = 0;
        qint64 measureEndNs = 0;
    };
    struct Result {
        quint64 sent = 0; ///< publishes in the window
        quint64 expected = 0; ///< deliveries they owe: the members of their rooms
        quint64 nodesReached = 0; ///< nodes holding members of their rooms, summed
        quint64 delivered = 0;
        quint64 duplicates = 0;
        quint64 malformed = 0;
        int disconnected = 0; ///< clients that lost their connection after all connected
        int open = 0;
        double busy = 0; ///< this thread's CPU time over the window's wall time
        quint64 unsent = 0; ///< publishes due while their sender was offline
        quint64 resent = 0; ///< publishes sent again after a resumed join
        int reconnects = 0;
        fanout::LatencyHistogram latency;
        fanout::LatencyHistogram loopLag; ///< how late each 1 ms tick came
        /// Per client, with BenchOptions::accountsLosses(): what LossLedger needs.
        struct ClientLog {
            int index = 0;
            std::vector<qint64> sentAtNs; ///< by sequence number
            QSet<quint64> seen; ///< (sender << 32 | sequence) of measured messages
            std::vector<std::pair<qint64, qint64>> offline; ///< [from, to) on the shared clock
        };
        std::vector<ClientLog> logs;
        void merge(const Result &other);
    };

    ClientGroup(const BenchOptions &options, const ClientPlacement &placement, std::vector<int> clients,
                const QElapsedTimer &clock, int concurrentHandshakes);
    ~ClientGroup() override;

    void open();
    void beginLoad(const Window &window);
    /// Read from the coordinating thread while the load drains.
    quint64 deliveredSoFar() const { return m_deliveredSoFar.load(std::memory_order_relaxed); }
    quint64 expectedSoFar() const { return m_expectedSoFar.load(std::memory_order_relaxed); }
    int connectedSoFar() const { return m_connectedSoFar.load(std::memory_order_relaxed); }
    Result result() const;

signals:
    void connected();
    /// The window is over: this group sends nothing more that counts.
    void windowEnded();
    void failed(const QString &message);

private:
    struct Client {
        int index = 0; ///< global: the sender number in payloads
        int node = 0; ///< the URL it connects to
        QWebSocket *socket = nullptr;
        bool online = false; ///< connected, and in typed mode joined
        int generation = 0; ///< connections made so far
        QString room;
        BenchFrames::Position position; ///< typed: the last message's place in the room
        qint64 resendAfterOffset = -1; ///< typed: resend once the resumed replay reached it
        qint64 offlineSinceNs = -1;
        std::vector<qint64> sentAtNs; ///< by sequence number
        std::vector<int> sentOnGeneration; ///< by sequence number
        std::vector<std::pair<qint64, qint64>> offline;
        QSet<quint64> seen;
    };

    void connectMore();
    void openSocket(int local);
    void onConnected(int local);
    void onJoined(int local, const BenchFrames::Incoming &joined);
    void onLost(int local);
    void goOnline(int local);
    void tick();
    void send(int local);
    void sendPayload(Client &client, quint32 sequence);
    void resendUnseen(int local);
    void onMessage(int local, const QString &text);

    BenchOptions m_options;
    ClientPlacement m_placement;
    std::vector<Client> m_clients;
    std::vector<int> m_senders; ///< local indices of the clients that send
    double m_rate = 0; ///< this group's share of the publishes per second
    QString m_padding;
    QElapsedTimer m_clock;
    int m_concurrentHandshakes;
    int m_opened = 0;
    int m_connected = 0;
    bool m_allConnected = false;
    std::atomic<int> m_connectedSoFar {0};
    std::atomic<quint64> m_deliveredSoFar {0};
    std::atomic<quint64> m_expectedSoFar {0};
    Window m_window;
    QTimer *m_ticker; ///< a child, so that it moves to the group's thread with it
    qint64 m_lastTickNs = 0;
    quint64 m_sentTotal = 0;
    int m_nextSender = 0;
    bool m_measuring = false;
    qint64 m_busyStartNs = 0;
    double m_cpuStart = 0;
    Result m_result;
};
