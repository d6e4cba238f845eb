#include "consolepanel.h"

#include <QFontDatabase>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

ConsolePanel::ConsolePanel(QWidget *parent)
    : QWidget(parent), m_output(new QPlainTextEdit), m_input(new QLineEdit)
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_output->setReadOnly(true);
    m_output->setFont(mono);
    m_output->setObjectName(QStringLiteral("consoleOutput"));
    m_output->setPlaceholderText(tr("Ask the broker as redis-cli would, e.g.\n"
                                    "PUBSUB CHANNELS ws:room:*\n"
                                    "PUBSUB NUMSUB ws:room:room-0\n"
                                    "PUBLISH ws:room:room-0 '{\"payload\":{\"type\":\"ping\"}}'"));
    m_input->setFont(mono);
    m_input->setObjectName(QStringLiteral("consoleInput"));
    m_input->setPlaceholderText(tr("PUBSUB NUMSUB ws:room:room-0"));
    m_input->installEventFilter(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_output);
    layout->addWidget(m_input);
    connect(m_input, &QLineEdit::returnPressed, this, [this] {
        const QString line = m_input->text().trimmed();
        if (line.isEmpty())
            return;
        m_history.append(line);
        m_historyPosition = m_history.size();
        m_input->clear();
        emit commandEntered(line);
    });
}

void ConsolePanel::setPrompt(const QString &prompt)
{
    m_prompt = prompt;
}

void ConsolePanel::showAnswer(const QString &commandLine, const QString &answer)
{
    m_output->appendPlainText(QStringLiteral("%1 %2\n%3").arg(m_prompt, commandLine, answer));
}

QString ConsolePanel::transcript() const
{
    return m_output->toPlainText();
}

bool ConsolePanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress && !m_history.isEmpty()) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Up || key == Qt::Key_Down) {
            m_historyPosition = std::clamp<qsizetype>(m_historyPosition + (key == Qt::Key_Up ? -1 : 1), 0, m_history.size());
            m_input->setText(m_historyPosition < m_history.size() ? m_history.at(m_historyPosition) : QString());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}
