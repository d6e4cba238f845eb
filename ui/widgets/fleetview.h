#pragma once

#include "sim/simsnapshot.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QPainter;

/// The fleet drawn: the broker (or Redis) at the top, the nodes below with their state and
/// clients, one edge per node weighted by its subscriptions, and, at low rates, each message as
/// a dot travelling from its publisher up to the broker and down to every node that delivered
/// it. Slow motion (the speed control) makes the path easy to follow.
class FleetView : public QWidget
{
    Q_OBJECT
public:
    explicit FleetView(QWidget *parent = nullptr);

    void setSnapshot(const fanout::SimSnapshot &snapshot);
    /// How long one envelope takes to travel on screen, in wall-clock milliseconds.
    void setTravelMs(int milliseconds) { m_travelMs = milliseconds; }
    int activeEnvelopes() const { return int(m_envelopes.size()); }
    /// Blue when nodes reach the broker, red when it is down, orange (as the nodes) when it is up
    /// but no node reaches it.
    QColor brokerColor() const;

    QSize sizeHint() const override { return {720, 420}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Envelope {
        int from = -1;
        std::vector<int> to;
        qint64 startMs = 0;
    };
    QPointF brokerCenter() const;
    QPointF nodeCenter(int node) const;
    int channelsWithSubscribers() const;
    bool brokerUnreachable() const;
    void drawLinks(QPainter &p) const;
    void drawBroker(QPainter &p) const;
    void drawNodes(QPainter &p) const;
    void drawEnvelopes(QPainter &p) const;
    void drawCaption(QPainter &p) const;

    fanout::SimSnapshot m_snapshot;
    std::vector<Envelope> m_envelopes;
    quint64 m_lastTraceKey = 0;
    qint64 m_lastPublishedNs = 0;
    int m_skipped = 0;
    int m_travelMs = 900;
    QElapsedTimer m_clock;
    QTimer m_animation;
};
