#pragma once

#include "nodemetrics.h"

#include <QByteArray>

namespace fanout {

class Broker;

/// A node's metrics in the Prometheus text format (version 0.0.4): `fanout_` names, `_total`
/// counters, base units, `_seconds` histograms, no label per room or user. The names are listed
/// in docs/operations.md; tst_operations scrapes them.
class MetricsExposition
{
public:
    static constexpr const char *ContentType = "text/plain; version=0.0.4; charset=utf-8";

    static QByteArray render(const NodeMetrics &metrics, const Broker &broker);
};

}
