#include "consolepanel.h"

#include "node/node.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QVBoxLayout>

ConsolePanel::ConsolePanel(QWidget *parent)
    : QWidget(parent), m_mode(new QLabel), m_allowWrites(new QCheckBox(tr("Allow writes"))),
      m_output(new QPlainTextEdit), m_input(new QLineEdit)
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_mode->setObjectName(QStringLiteral("consoleMode"));
    m_allowWrites->setObjectName(QStringLiteral("consoleAllowWrites"));
    m_allowWrites->setToolTip(tr("Let the console send commands that change the server, after a confirmation"));
    // clicked, not toggled: setWritesAllowed() moves the box too, and that is no request.
    connect(m_allowWrites, &QCheckBox::clicked, this, &ConsolePanel::requestWrites);
    m_output->setReadOnly(true);
    m_output->setFont(mono);
    m_output->setObjectName(QStringLiteral("consoleOutput"));
    m_input->setFont(mono);
    m_input->setObjectName(QStringLiteral("consoleInput"));
    m_input->installEventFilter(this);
    connect(m_input, &QLineEdit::returnPressed, this, &ConsolePanel::enterCommand);

    auto *modeRow = new QHBoxLayout;
    modeRow->addWidget(m_mode);
    modeRow->addWidget(m_allowWrites);
    modeRow->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(modeRow);
    layout->addWidget(m_output);
    layout->addWidget(m_input);
    setPrefix(fanout::NodeConfig::DefaultChannelPrefix);
    updateMode();
}

void ConsolePanel::setTarget(const QString &target)
{
    m_target = target;
}

void ConsolePanel::setPrefix(const QString &prefix)
{
    m_output->setPlaceholderText(tr("Ask the broker as redis-cli would, e.g.\n"
                                    "PUBSUB CHANNELS %1*\n"
                                    "PUBSUB NUMSUB %1room-0\n"
                                    "PUBLISH %1room-0 '{\"payload\":{\"type\":\"ping\"}}'")
                                     .arg(prefix));
    m_input->setPlaceholderText(tr("PUBSUB NUMSUB %1room-0").arg(prefix));
}

void ConsolePanel::setWritesSwitchable(bool switchable)
{
    m_writesSwitchable = switchable;
    updateMode();
}

void ConsolePanel::setWritesAllowed(bool allowed)
{
    m_writesAllowed = allowed;
    updateMode();
}

void ConsolePanel::requestWrites(bool allowed)
{
    const bool confirmed = !allowed
        || QMessageBox::question(this, tr("Allow writes"),
                                 tr("Let the console send any command, FLUSHALL included, to %1?").arg(m_target))
            == QMessageBox::Yes;
    if (confirmed)
        emit writesRequested(allowed);
    // The box follows the backend's answer, which may already have come through setWritesAllowed().
    m_allowWrites->setChecked(m_writesAllowed);
}

namespace {
const QString badgeStyle = QStringLiteral("color: white; font-weight: bold; padding: 1px 6px; background: %1");
}

void ConsolePanel::showWriteMode(QLabel *badge, bool writesAllowed)
{
    badge->setText(writesAllowed ? tr("WRITES ALLOWED") : tr("READ-ONLY"));
    badge->setStyleSheet(badgeStyle.arg(writesAllowed ? QStringLiteral("#c62828") : QStringLiteral("#2e7d32")));
}

void ConsolePanel::updateMode()
{
    m_allowWrites->setVisible(m_writesSwitchable);
    m_allowWrites->setChecked(m_writesAllowed);
    if (m_writesSwitchable) {
        showWriteMode(m_mode, m_writesAllowed);
        return;
    }
    m_mode->setText(tr("WRITES ALLOWED (the simulation's own bus)"));
    m_mode->setStyleSheet(badgeStyle.arg(QStringLiteral("#546e7a")));
}

void ConsolePanel::showAnswer(const QString &commandLine, const QString &answer)
{
    m_output->appendPlainText(QStringLiteral("%1> %2\n%3").arg(m_target, commandLine, answer));
}

QString ConsolePanel::transcript() const
{
    return m_output->toPlainText();
}

void ConsolePanel::enterCommand()
{
    const QString line = m_input->text().trimmed();
    if (line.isEmpty())
        return;
    m_history.append(line);
    m_historyPosition = m_history.size();
    m_input->clear();
    emit commandEntered(line);
}

bool ConsolePanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress && !m_history.isEmpty()) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Up || key == Qt::Key_Down) {
            m_historyPosition
                = std::clamp<qsizetype>(m_historyPosition + (key == Qt::Key_Up ? -1 : 1), 0, m_history.size());
            m_input->setText(m_historyPosition < m_history.size() ? m_history.at(m_historyPosition) : QString());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}
