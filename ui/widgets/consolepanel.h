#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

/// A redis-cli-like console: type PUBSUB CHANNELS <prefix>* and read the answer as redis-cli
/// prints it. Up/Down walk the history. A badge always shows whether the console may write; where
/// writes can be switched (a real Redis), "Allow writes" asks for confirmation before asking the
/// backend with writesRequested(true). The panel shows the mode it is told, never one it assumes.
class ConsolePanel : public QWidget
{
    Q_OBJECT
public:
    /// How a read-only or writable Redis connection is shown, here and in the inspector window.
    static void showWriteMode(QLabel *badge, bool writesAllowed);

    explicit ConsolePanel(QWidget *parent = nullptr);

    void showAnswer(const QString &commandLine, const QString &answer);
    /// What the console talks to ("in-process", or a Redis URL without its password), for the
    /// prompt and the confirmation.
    void setTarget(const QString &target);
    /// The channel prefix of the examples in the placeholders.
    void setPrefix(const QString &prefix);
    /// False where writes are always allowed (the simulation's in-process bus): no switch then.
    void setWritesSwitchable(bool switchable);
    /// The mode the backend is in.
    void setWritesAllowed(bool allowed);
    /// What the "Allow writes" box does, for other switches of the same backend: allowing asks
    /// for confirmation first, then emits writesRequested(); forbidding emits it at once.
    void requestWrites(bool allowed);
    QString transcript() const;

signals:
    void commandEntered(const QString &commandLine);
    /// The user wants writes allowed (confirmed) or forbidden.
    void writesRequested(bool allowed);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void enterCommand();
    void updateMode();

    QLabel *m_mode;
    QCheckBox *m_allowWrites;
    QPlainTextEdit *m_output;
    QLineEdit *m_input;
    QStringList m_history;
    qsizetype m_historyPosition = 0;
    QString m_target = QStringLiteral("in-process");
    bool m_writesAllowed = true;
    bool m_writesSwitchable = false;
};
