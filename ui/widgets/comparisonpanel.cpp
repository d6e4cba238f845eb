#include "comparisonpanel.h"

#include "losspanel.h"
#include "sim/scenario.h"
#include "timeserieschart.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace {
QString fleetTitle(const QString &delivery)
{
    if (delivery == fanout::Scenario::deliveryName(fanout::Scenario::Delivery::Streams))
        return ComparisonPanel::tr("Streams: every room a history, gaps filled");
    return ComparisonPanel::tr("Pub/sub: fire and forget");
}
}

ComparisonPanel::ComparisonPanel(QWidget *parent)
    : QWidget(parent),
      m_placeholder(new QLabel(tr("Run a scenario with \"delivery\": \"both\" (built-in: durable-vs-fireforget) to "
                                  "see pub/sub and streams fleets side by side.")))
{
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_placeholder);
}

ComparisonPanel::~ComparisonPanel() = default;

void ComparisonPanel::clear()
{
    for (const auto &c : m_columns)
        delete c->box;
    m_columns.clear();
    m_placeholder->show();
}

ComparisonPanel::Column &ComparisonPanel::column(int fleet)
{
    while (fleetCount() <= fleet) {
        auto column = std::make_unique<Column>();
        column->box = new QGroupBox(this);
        column->box->setObjectName(QStringLiteral("fleet%1").arg(fleetCount()));
        column->summary = new QLabel;
        column->summary->setObjectName(QStringLiteral("fleetSummary"));
        column->summary->setWordWrap(true);
        column->loss = new LossPanel;
        column->chart = new TimeSeriesChart(tr("Deliveries"), tr("deliveries/s"));
        column->chart->setObjectName(QStringLiteral("fleetRateChart"));
        column->chart->addSeries(tr("on time"));
        column->chart->addSeries(tr("recovered"));
        column->chart->addSeries(tr("lost"));
        column->chart->setMinimumHeight(240);
        auto *boxLayout = new QVBoxLayout(column->box);
        boxLayout->addWidget(column->summary);
        boxLayout->addWidget(column->chart, 1);
        boxLayout->addWidget(column->loss);
        layout()->addWidget(column->box);
        m_columns.push_back(std::move(column));
    }
    m_placeholder->hide();
    return *m_columns[size_t(fleet)];
}

void ComparisonPanel::setSnapshot(int fleet, const fanout::SimSnapshot &snapshot)
{
    Column &c = column(fleet);
    c.box->setTitle(fleetTitle(snapshot.delivery));
    const auto &totals = snapshot.totals;
    const QLocale locale;
    c.summary->setText(
        tr("<b>%1</b> recovered, <b>%2</b> lost of %3 expected deliveries")
            .arg(locale.toString(totals.recovered), locale.toString(totals.lost), locale.toString(totals.expected)));
    c.loss->setSnapshot(snapshot);
    if (!c.history.add(snapshot))
        return;
    using Sample = MetricsHistory::Sample;
    c.chart->setPoints(0, c.history.series(&Sample::onTime));
    c.chart->setPoints(1, c.history.series(&Sample::recovered));
    c.chart->setPoints(2, c.history.series(&Sample::lost));
    c.chart->rescale();
}
