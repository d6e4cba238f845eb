#include "inspectrunner.h"

#include "inspect/redisinspector.h"
#include "inspectionsummary.h"
#include "studiooptions.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>

int InspectRunner::start(const StudioOptions &options)
{
    QString error;
    const auto url = fanout::RedisUrl::parse(options.inspectUrl, &error);
    if (!url) {
        std::fprintf(stderr, "fanout-studio: --inspect: %s\n", qPrintable(error));
        return 2;
    }
    auto *inspector = new fanout::RedisInspector(*url, this);
    inspector->setPrefix(options.prefix);
    connect(inspector, &fanout::RedisInspector::errorOccurred, this,
            [this](const QString &message) { m_lastError = message; });
    connect(inspector, &fanout::RedisInspector::connected, inspector, &fanout::RedisInspector::refresh);
    const bool json = options.json;
    connect(inspector, &fanout::RedisInspector::snapshotReady, this,
            [json](const fanout::InspectionSnapshot &snapshot) {
                const QByteArray text = json ? QJsonDocument(snapshot.toJson()).toJson(QJsonDocument::Indented)
                                             : InspectionSummary::text(snapshot).toUtf8();
                std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
                std::fflush(stdout);
                QCoreApplication::exit(0);
            });
    QTimer::singleShot(ConnectTimeoutMs, this, [this, inspector, url] {
        if (inspector->isConnected())
            return;
        std::fprintf(stderr, "fanout-studio: cannot reach %s within %d s%s%s\n", qPrintable(url->toDisplayString()),
                     ConnectTimeoutMs / 1000, m_lastError.isEmpty() ? "" : ": ", qPrintable(m_lastError));
        QCoreApplication::exit(1);
    });
    inspector->open();
    return -1;
}
