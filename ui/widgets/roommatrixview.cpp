#include "roommatrixview.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QStyle>

#include <algorithm>

RoomMatrixView::RoomMatrixView(QWidget *parent) : QTableView(parent)
{
    // Stretched columns share whatever width the dock has instead of a fixed 56 pixels each,
    // which cut the third column of a three-node fleet in the default layout.
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
}

void RoomMatrixView::setModel(QAbstractItemModel *model)
{
    QTableView::setModel(model);
    connect(model, &QAbstractItemModel::modelReset, this, &RoomMatrixView::fitColumns);
    connect(model, &QAbstractItemModel::headerDataChanged, this, &RoomMatrixView::fitColumns);
    fitColumns();
}

void RoomMatrixView::fitColumns()
{
    // A column is never narrower than its node's name: past a few nodes the matrix scrolls.
    const int margins = 2 * style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, horizontalHeader()) + 4;
    int widest = 0;
    for (int column = 0; column < model()->columnCount(); ++column) {
        const QString name = model()->headerData(column, Qt::Horizontal).toString();
        widest = std::max(widest, horizontalHeader()->fontMetrics().horizontalAdvance(name) + margins);
    }
    horizontalHeader()->setMinimumSectionSize(std::max(widest, 24));
    // The dock is at least as wide as the columns of a small fleet; a large one scrolls.
    const int shown = std::min(model()->columnCount(), MaxColumnsWithoutScrolling);
    setMinimumWidth(verticalHeader()->sizeHint().width() + shown * horizontalHeader()->minimumSectionSize()
                    + verticalScrollBar()->sizeHint().width() + 2 * frameWidth());
    updateGeometry();
}

QSize RoomMatrixView::sizeHint() const
{
    const int columns = model() ? model()->columnCount() : 0;
    const int frame = 2 * frameWidth();
    const int width = verticalHeader()->sizeHint().width() + columns * horizontalHeader()->minimumSectionSize()
        + verticalScrollBar()->sizeHint().width() + frame;
    const int height
        = horizontalHeader()->sizeHint().height() + VisibleRows * verticalHeader()->defaultSectionSize() + frame;
    return {std::max(width, 160), height};
}
