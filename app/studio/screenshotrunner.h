#pragma once

#include <QObject>
#include <QString>

class MainWindow;

/// Runs the window on a scenario for a number of simulated seconds, then saves it as a PNG and
/// quits: the README's screenshots come from here (scripts/screenshots.sh).
class ScreenshotRunner : public QObject
{
    Q_OBJECT
public:
    ScreenshotRunner(MainWindow *window, QString path, double seconds, QObject *parent = nullptr);

private:
    void check();

    MainWindow *m_window;
    QString m_path;
    double m_seconds;
};
