#pragma once

#include <QTableView>

/// The Rooms x nodes matrix: one column per node, wide enough for its name, sharing the view's
/// width so that a small fleet's columns all show without a horizontal scroll bar.
class RoomMatrixView : public QTableView
{
    Q_OBJECT
public:
    explicit RoomMatrixView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    /// Every column and VisibleRows rows, so that the dock opens showing them.
    QSize sizeHint() const override;

    static constexpr int VisibleRows = 4;
    static constexpr int MaxColumnsWithoutScrolling = 6;

private:
    void fitColumns();
};
