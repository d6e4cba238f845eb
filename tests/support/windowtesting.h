#pragma once

// What the studio's window tests share: reading labels, answering questions, typing into a
// console (the main window's or the inspector's) and a subscriber that makes channels exist.

#include "redis/redisconnection.h"

#include <QAbstractButton>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

namespace windowtesting {

/// Keeps a window test's QSettings apart from the user's and from the other test executables'.
inline void useOwnSettings(const char *test)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("Fanout%1Test").arg(QLatin1String(test)));
}

inline QString labelText(const QWidget &window, const QString &name)
{
    const auto *label = window.findChild<QLabel *>(name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

/// Calls `handle` with the next modal `Dialog` (a QMessageBox, a QInputDialog...) as soon as it
/// shows. The poll belongs to `owner`, so it cannot outlive the window under test.
template<typename Dialog, typename Handle>
void whenNextModal(QObject *owner, Handle handle)
{
    auto *poll = new QTimer(owner);
    poll->setInterval(10);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, handle] {
        auto *dialog = qobject_cast<Dialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        poll->stop();
        poll->deleteLater();
        handle(dialog);
    });
    poll->start();
}

/// Answers the next modal QMessageBox with `answer` and keeps its text in *question.
inline void answerNextQuestion(QObject *owner, QMessageBox::StandardButton answer, QString *question)
{
    whenNextModal<QMessageBox>(owner, [answer, question](QMessageBox *box) {
        *question = box->text();
        box->button(answer)->click();
    });
}

/// Types a line into a console and presses Return.
inline void enterCommand(QWidget &window, const QString &line)
{
    auto *input = window.findChild<QLineEdit *>(QStringLiteral("consoleInput"));
    QVERIFY(input);
    input->setText(line);
    QTest::keyClick(input, Qt::Key_Return);
}

/// Opens a subscriber connection named "someone" and subscribes it to `channels`; false when it
/// does not connect within 5 s.
inline bool subscribeSomeone(fanout::RedisConnection &subscriber, const QList<QByteArray> &channels)
{
    QSignalSpy ready(&subscriber, &fanout::RedisConnection::ready);
    subscriber.open();
    if (!ready.wait(5000))
        return false;
    QList<QByteArray> command {"SUBSCRIBE"};
    command.append(channels);
    return subscriber.send(command);
}

inline QString consoleTranscript(const QWidget &window)
{
    const auto *output = window.findChild<QPlainTextEdit *>(QStringLiteral("consoleOutput"));
    return output ? output->toPlainText() : QStringLiteral("<no console>");
}

}
