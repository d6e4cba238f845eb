#include "losspanel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

LossPanel::LossPanel(QWidget *parent) : QWidget(parent)
{
    setLayout(new QFormLayout);
    m_published
        = addRow(tr("Published"), QStringLiteral("lossPublished"), tr("Messages the virtual clients published"));
    m_expected = addRow(tr("Expected deliveries"), QStringLiteral("lossExpected"),
                        tr("Room members at publish time, summed over messages"));
    m_delivered = addRow(tr("Delivered"), QStringLiteral("lossDelivered"), tr("Deliveries that arrived"));
    m_onTime = addRow(tr("    on time"), QStringLiteral("lossOnTime"), tr("Live deliveries within the settle window"));
    m_recovered = addRow(tr("    recovered"), QStringLiteral("lossRecovered"),
                         tr("Read back from a room's history to fill a gap, or arrived after the settle window"));
    m_lost = addRow(tr("Lost"), QStringLiteral("lossLost"), tr("Expected deliveries that never arrived"));
    for (int cause = 0; cause < fanout::LossCauseCount; ++cause) {
        const QString name = QLatin1String(fanout::lossCauseName(fanout::LossCause(cause)));
        m_causes.append(addRow(QStringLiteral("    ") + QString(name).replace(QLatin1Char('_'), QLatin1Char(' ')),
                               QStringLiteral("lost_") + name, tr("Lost deliveries blamed on this cause")));
    }
    m_duplicates = addRow(tr("Duplicates"), QStringLiteral("lossDuplicates"),
                          tr("Deliveries of a message a client already had: must stay 0"));
    m_late = addRow(tr("Late, not recovered"), QStringLiteral("lossLate"),
                    tr("Deliveries after their message was settled, to a member not counted lost"));
    m_open = addRow(tr("In flight"), QStringLiteral("lossOpen"), tr("Messages not settled yet"));
    m_skipped = addRow(tr("Not sent (sender offline)"), QStringLiteral("lossSkipped"),
                       tr("Publishes drawn for a client that was disconnected"));
}

QLabel *LossPanel::addRow(const QString &name, const QString &objectName, const QString &tip)
{
    auto *value = new QLabel(QStringLiteral("0"));
    value->setObjectName(objectName);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setToolTip(tip);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wide enough for a long run's figures from the start: a label that grows with its number
    // would widen the dock in the middle of a run.
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QLocale().toString(999999999)));
    static_cast<QFormLayout *>(layout())->addRow(name, value);
    return value;
}

void LossPanel::setSnapshot(const fanout::SimSnapshot &snapshot)
{
    const QLocale locale;
    const auto &totals = snapshot.totals;
    m_published->setText(locale.toString(totals.published));
    m_expected->setText(locale.toString(totals.expected));
    m_delivered->setText(locale.toString(totals.delivered));
    m_onTime->setText(locale.toString(totals.onTime()));
    m_recovered->setText(locale.toString(totals.recovered));
    m_lost->setText(locale.toString(totals.lost));
    for (int cause = 0; cause < fanout::LossCauseCount; ++cause)
        m_causes[cause]->setText(locale.toString(totals.lostByCause[size_t(cause)]));
    m_duplicates->setText(locale.toString(totals.duplicates));
    m_duplicates->setStyleSheet(totals.duplicates ? QStringLiteral("color: #c62828; font-weight: bold") : QString());
    m_late->setText(locale.toString(totals.lateDeliveries));
    m_open->setText(locale.toString(totals.open));
    m_skipped->setText(locale.toString(snapshot.skippedPublishes));
}
