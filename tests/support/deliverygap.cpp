#include "deliverygap.h"

DeliveryGap DeliveryGap::longest(const QList<qint64> &arrivals)
{
    DeliveryGap gap;
    for (qsizetype i = 1; i < arrivals.size(); ++i) {
        if (arrivals.at(i) - arrivals.at(i - 1) > gap.length)
            gap = {arrivals.at(i) - arrivals.at(i - 1), arrivals.at(i)};
    }
    return gap;
}
