#include "windowlayout.h"

#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QWidget>

#include <algorithm>

void WindowLayout::fitToScreen(QWidget *window)
{
    const QRect available = window->screen()->availableGeometry();
    const QRect frame = window->frameGeometry();
    if (available.contains(frame))
        return;
    const QSize margins = frame.size() - window->size();
    window->resize(window->size().boundedTo(available.size() - margins));
    const QSize outer = window->size() + margins;
    window->move(std::clamp(frame.x(), available.left(), available.left() + available.width() - outer.width()),
                 std::clamp(frame.y(), available.top(), available.top() + available.height() - outer.height()));
}

QScrollArea *WindowLayout::scrolling(QWidget *panel)
{
    auto *area = new QScrollArea;
    area->setWidget(panel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area->setMinimumWidth(panel->minimumSizeHint().width() + area->verticalScrollBar()->sizeHint().width());
    return area;
}
