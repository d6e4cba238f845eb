#include "screenshotrunner.h"

#include "mainwindow.h"
#include "simulationcontroller.h"

#include <QCoreApplication>
#include <QImage>
#include <QPixmap>

#include <cstdio>

ScreenshotRunner::ScreenshotRunner(MainWindow *window, QString path, double seconds, QObject *parent)
    : QObject(parent), m_window(window), m_path(std::move(path)), m_seconds(seconds)
{
    connect(window, &MainWindow::refreshed, this, &ScreenshotRunner::check);
}

void ScreenshotRunner::check()
{
    const auto &snapshot = m_window->controller()->lastSnapshot();
    if (snapshot.simSeconds < m_seconds && snapshot.phase != fanout::SimPhase::Finished)
        return;
    disconnect(m_window, nullptr, this, nullptr);
    const QImage image = m_window->grab().toImage();
    if (image.isNull() || !image.save(m_path, "PNG")) {
        std::fprintf(stderr, "fanout-studio: cannot write %s\n", qPrintable(m_path));
        QCoreApplication::exit(1);
        return;
    }
    std::fprintf(stderr, "fanout-studio: saved %s (%dx%d) at t=%.2f s\n", qPrintable(m_path), image.width(),
                 image.height(), snapshot.simSeconds);
    QCoreApplication::exit(0);
}
