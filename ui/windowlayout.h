#pragma once

class QScrollArea;
class QWidget;

/// How the studio's windows fit a small screen (1280x800 is the smallest they are laid out for).
class WindowLayout
{
public:
    /// Shrinks and moves a shown top-level window so that its frame fits its screen's available
    /// geometry. The frame (title bar, borders) is known only once the window exists.
    static void fitToScreen(QWidget *window);
    /// `panel` in a scroll area that scrolls vertically when the dock is shorter than the panel,
    /// instead of growing the window past the screen; it keeps the panel's full width.
    static QScrollArea *scrolling(QWidget *panel);
};
