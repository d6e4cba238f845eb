#include "fleetview.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace {
constexpr int MaxEnvelopesPerSnapshot = 12;
constexpr int MaxAnimatedNodes = 40;

QColor stateColor(fanout::SimNodeState state)
{
    switch (state) {
    case fanout::SimNodeState::Down:
        return QColor(0xe5, 0x73, 0x73);
    case fanout::SimNodeState::Partitioned:
    case fanout::SimNodeState::LocalOnly:
        return QColor(0xff, 0xb7, 0x4d);
    case fanout::SimNodeState::Up:
        break;
    }
    return QColor(0x81, 0xc7, 0x84);
}
}

FleetView::FleetView(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(420, 260);
    m_clock.start();
    m_animation.setInterval(33); // at most 30 frames per second
    connect(&m_animation, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.elapsed();
        std::erase_if(m_envelopes, [&](const Envelope &e) { return now - e.startMs > m_travelMs; });
        if (m_envelopes.empty())
            m_animation.stop();
        update();
    });
}

void FleetView::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    // Each run's ledger clock starts at zero: a newer trace of another run can look older.
    if (!snapshot.recentTraces.empty() && snapshot.recentTraces.back().publishedNs < m_lastPublishedNs)
        m_lastPublishedNs = 0;
    m_snapshot = snapshot;
    std::vector<const fanout::MessageTrace *> fresh;
    for (const fanout::MessageTrace &trace : snapshot.recentTraces) {
        if (trace.publishedNs > m_lastPublishedNs)
            fresh.push_back(&trace);
    }
    if (!snapshot.recentTraces.empty())
        m_lastPublishedNs = std::max(m_lastPublishedNs, snapshot.recentTraces.back().publishedNs);
    m_skipped = fresh.size() > size_t(MaxEnvelopesPerSnapshot) ? int(fresh.size()) : 0;
    if (m_skipped == 0 && int(snapshot.nodes.size()) <= MaxAnimatedNodes) {
        const qint64 now = m_clock.elapsed();
        for (const fanout::MessageTrace *trace : fresh) {
            Envelope envelope;
            for (const auto &node : snapshot.nodes) {
                if (node.id == trace->origin)
                    envelope.from = node.index;
            }
            for (const auto &hop : trace->nodes)
                envelope.to.push_back(hop.node);
            envelope.startMs = now;
            m_envelopes.push_back(std::move(envelope));
        }
        if (!m_envelopes.empty() && !m_animation.isActive())
            m_animation.start();
    }
    update();
}

QPointF FleetView::brokerCenter() const
{
    return {width() / 2.0, 70.0};
}

QPointF FleetView::nodeCenter(int node) const
{
    const int count = std::max<int>(1, int(m_snapshot.nodes.size()));
    const double margin = 60;
    const double span = width() - 2 * margin;
    const double x = count == 1 ? width() / 2.0 : margin + span * node / (count - 1);
    const double rows = count > 12 ? 2 : 1;
    const double y = height() - 70 - (rows > 1 && node % 2 ? 70 : 0);
    return {x, y};
}

void FleetView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    drawLinks(p);
    drawBroker(p);
    drawNodes(p);
    drawEnvelopes(p);
    drawCaption(p);
}

void FleetView::drawLinks(QPainter &p) const
{
    int maxSubscriptions = 1;
    for (const auto &node : m_snapshot.nodes)
        maxSubscriptions = std::max(maxSubscriptions, node.subscriptions);
    for (const auto &node : m_snapshot.nodes) {
        const bool linked = node.state == fanout::SimNodeState::Up;
        QPen pen(linked ? QColor(0x42, 0x7e, 0xc4) : QColor(0xbd, 0xbd, 0xbd));
        pen.setWidthF(1.0 + 5.0 * node.subscriptions / maxSubscriptions);
        if (!linked)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(brokerCenter(), nodeCenter(node.index));
    }
}

int FleetView::channelsWithSubscribers() const
{
    const size_t nodes = m_snapshot.nodes.size();
    int channels = 0;
    for (size_t r = 0; r < size_t(m_snapshot.rooms.size()); ++r) {
        for (size_t n = 0; n < nodes; ++n) {
            if (m_snapshot.roomSubscribed[r * nodes + n]) {
                ++channels;
                break;
            }
        }
    }
    return channels;
}

void FleetView::drawBroker(QPainter &p) const
{
    const QPointF broker = brokerCenter();
    const QRectF brokerBox(broker.x() - 110, broker.y() - 32, 220, 64);
    p.setPen(QPen(palette().text().color(), 1.5));
    p.setBrush(brokerColor());
    p.drawRoundedRect(brokerBox, 10, 10);
    QString state;
    if (!m_snapshot.brokerUp)
        state = tr(" (DOWN)");
    else if (brokerUnreachable())
        state = tr(" (unreachable)");
    p.drawText(brokerBox, Qt::AlignCenter,
               tr("%1 broker%2\n%3 channels with subscribers")
                   .arg(m_snapshot.broker.isEmpty() ? tr("in-process") : m_snapshot.broker, state)
                   .arg(channelsWithSubscribers()));
}

bool FleetView::brokerUnreachable() const
{
    // The broker's own state: the simulation says it is up, but no running node has a link to
    // it (a Redis that refuses connections, or is still being connected to).
    bool anyRunning = false;
    for (const auto &node : m_snapshot.nodes) {
        if (node.state == fanout::SimNodeState::Up)
            return false;
        anyRunning = anyRunning || node.state == fanout::SimNodeState::LocalOnly;
    }
    return anyRunning;
}

QColor FleetView::brokerColor() const
{
    if (!m_snapshot.brokerUp)
        return stateColor(fanout::SimNodeState::Down);
    if (brokerUnreachable())
        return stateColor(fanout::SimNodeState::LocalOnly);
    return {0xbb, 0xde, 0xfb};
}

void FleetView::drawNodes(QPainter &p) const
{
    const int nodes = int(m_snapshot.nodes.size());
    const double boxWidth = std::clamp(width() / std::max(1.0, nodes * 1.15), 46.0, 120.0);
    for (const auto &node : m_snapshot.nodes) {
        const QPointF center = nodeCenter(node.index);
        const QRectF box(center.x() - boxWidth / 2, center.y() - 30, boxWidth, 60);
        p.setPen(QPen(palette().text().color(), 1.2));
        p.setBrush(stateColor(node.state));
        p.drawRoundedRect(box, 6, 6);
        const QString label = boxWidth > 80
            ? tr("%1\n%2 clients\n%3").arg(node.id).arg(node.clients).arg(fanout::nodeStateName(node.state))
            : tr("%1\n%2").arg(node.index).arg(node.clients);
        p.drawText(box, Qt::AlignCenter, label);
    }
}

void FleetView::drawEnvelopes(QPainter &p) const
{
    const int nodes = int(m_snapshot.nodes.size());
    const QPointF broker = brokerCenter();
    const qint64 now = m_clock.elapsed();
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0xff, 0x6f, 0x00));
    for (const Envelope &envelope : m_envelopes) {
        const double t = double(now - envelope.startMs) / m_travelMs;
        if (t < 0.5) {
            if (envelope.from < 0 || envelope.from >= nodes)
                continue;
            const QPointF from = nodeCenter(envelope.from);
            p.drawEllipse(from + (broker - from) * (t / 0.5), 6, 6);
            continue;
        }
        for (const int to : envelope.to) {
            if (to < nodes)
                p.drawEllipse(broker + (nodeCenter(to) - broker) * std::min(1.0, (t - 0.5) / 0.5), 5, 5);
        }
    }
}

void FleetView::drawCaption(QPainter &p) const
{
    p.setPen(palette().text().color());
    const auto drawLine = [&](int fromBottom, const QString &text) {
        const QRectF line(8, height() - 22 - fromBottom, width() - 16, 20);
        p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(text, Qt::ElideRight, int(line.width())));
    };
    drawLine(0, tr("t = %1 s   %2").arg(m_snapshot.simSeconds, 0, 'f', 2).arg(fanout::phaseName(m_snapshot.phase)));
    // On a line of its own, so a narrow view does not cut it.
    if (m_skipped > 0)
        drawLine(18, tr("%1 messages not animated since the last frame: slow down to see them").arg(m_skipped));
}
