#pragma once

#include <QList>

/// The longest time without a message in a list of arrival times (ms, ascending), and when it
/// ended: when delivery resumed after a failover or a slot move.
struct DeliveryGap {
    qint64 length = 0;
    qint64 endsAt = 0;

    static DeliveryGap longest(const QList<qint64> &arrivals);
};
