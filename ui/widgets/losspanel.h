#pragma once

#include "sim/simsnapshot.h"

#include <QWidget>

class QLabel;

/// Expected against delivered (on time or recovered), what was lost and why, and duplicates:
/// the engine's accounting, as numbers.
class LossPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LossPanel(QWidget *parent = nullptr);

    void setSnapshot(const fanout::SimSnapshot &snapshot);

private:
    QLabel *addRow(const QString &name, const QString &objectName, const QString &tip);

    QLabel *m_published;
    QLabel *m_expected;
    QLabel *m_delivered;
    QLabel *m_onTime;
    QLabel *m_recovered;
    QLabel *m_lost;
    QList<QLabel *> m_causes;
    QLabel *m_duplicates;
    QLabel *m_late;
    QLabel *m_open;
    QLabel *m_skipped;
};
