#pragma once

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;

/// A redis-cli-like console: type PUBSUB CHANNELS ws:room:* and read the answer as redis-cli
/// prints it. Up/Down walk the history.
class ConsolePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConsolePanel(QWidget *parent = nullptr);

    void showAnswer(const QString &commandLine, const QString &answer);
    void setPrompt(const QString &prompt);
    QString transcript() const;

signals:
    void commandEntered(const QString &commandLine);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPlainTextEdit *m_output;
    QLineEdit *m_input;
    QStringList m_history;
    qsizetype m_historyPosition = 0;
    QString m_prompt = QStringLiteral("in-process>");
};
