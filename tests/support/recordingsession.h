#pragma once

#include "node/delivery.h"
#include "session/session.h"

#include <QStringList>

/// A socketless session that keeps every frame sent to it, for tests of the core without a
/// network.
class RecordingSession : public fanout::Session
{
public:
    using Session::Session;

    void deliver(const fanout::Delivery &delivery) override
    {
        frames.append(QString::fromUtf8(delivery.frame(protocol())));
    }
    void sendText(const QByteArray &frame) override { frames.append(QString::fromUtf8(frame)); }
    void close(int code, const QString &) override { closeCode = code; }

    QStringList frames;
    int closeCode = 0;
};
