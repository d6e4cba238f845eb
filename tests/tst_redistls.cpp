#include "node/node.h"
#include "nodeprocess.h"
#include "recordingsession.h"
#include "redis/redisbroker.h"
#include "redis/redisconnection.h"
#include "redis/redistls.h"
#include "redisclient.h"
#include "redisserver.h"
#include "testcertificates.h"
#include "testclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using fanout::RedisConnection;
using fanout::RedisTls;
using fanout::RedisUrl;

/// rediss:// on a real redis-server that speaks TLS alone (no plaintext port), with certificates
/// the test makes with openssl: verification, client certificates, and the options of fanout-node
/// and fanout-studio that carry the files.
class tst_RedisTls : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void brokerDeliversOverTls();
    void wrongCaNeverConnects();
    void neverFallsBackToPlaintext();
    void clientCertificate_data();
    void clientCertificate();
    void badFilesAreOptionErrors_data();
    void badFilesAreOptionErrors();
    void nodeProcessOverTls();
    void nodeProcessSaysWhyItCannotConnect();
    void studioInspectsOverTls_data();
    void studioInspectsOverTls();

private:
    /// The server's rediss:// URL with TLS settings read from files; nothing when they do not load.
    static std::optional<RedisUrl> tlsUrl(const RedisServer &server, const RedisTls::Files &files);
    QStringList serverArguments(const QString &authClients) const;
    RedisTls::Files clientFiles() const;

    TestCertificates m_certificates;
    RedisServer m_server; ///< client certificates optional
    RedisServer m_strictServer; ///< client certificates required
};

void tst_RedisTls::initTestCase()
{
    QVERIFY2(m_certificates.generate(), qPrintable(m_certificates.errorString()));
    QVERIFY2(m_server.startTls(serverArguments(QStringLiteral("optional"))), qPrintable(m_server.errorString()));
    QVERIFY2(m_strictServer.startTls(serverArguments(QStringLiteral("yes"))), qPrintable(m_strictServer.errorString()));
}

QStringList tst_RedisTls::serverArguments(const QString &authClients) const
{
    return {"--tls-cert-file",    m_certificates.serverCertificate(),
            "--tls-key-file",     m_certificates.serverKey(),
            "--tls-ca-cert-file", m_certificates.ca(),
            "--tls-auth-clients", authClients};
}

RedisTls::Files tst_RedisTls::clientFiles() const
{
    return {m_certificates.ca(), m_certificates.clientCertificate(), m_certificates.clientKey()};
}

std::optional<RedisUrl> tst_RedisTls::tlsUrl(const RedisServer &server, const RedisTls::Files &files)
{
    QString error;
    const std::optional<RedisTls> tls = RedisTls::load(files, &error);
    if (!tls) {
        qWarning("%s", qPrintable(error));
        return std::nullopt;
    }
    RedisUrl url = server.url();
    url.tlsSettings = *tls;
    return url;
}

void tst_RedisTls::brokerDeliversOverTls()
{
    const std::optional<RedisUrl> url = tlsUrl(m_server, {m_certificates.ca(), {}, {}});
    QVERIFY(url);
    QCOMPARE(url->toDisplayString(), QStringLiteral("rediss://127.0.0.1:%1").arg(m_server.port()));
    auto *broker = new fanout::RedisBroker(*url, QStringLiteral("sealed-node"));
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("sealed-node")), broker);
    QTRY_COMPARE(broker->state(), fanout::Broker::State::Connected);
    RecordingSession member(QStringLiteral("m"), fanout::SessionProtocol::Room);
    node.attach(&member);
    node.join(&member, QStringLiteral("vault"));

    RedisClient publisher(*url);
    QTRY_COMPARE(publisher.numsub("ws:room:vault"), 1);
    QCOMPARE(publisher.publish("ws:room:vault", R"({"payload":"sealed"})"), 1);
    QTRY_COMPARE(member.frames, QStringList({"\"sealed\""}));
    node.detach(&member);
}

void tst_RedisTls::wrongCaNeverConnects()
{
    const std::optional<RedisUrl> url = tlsUrl(m_server, {m_certificates.otherCa(), {}, {}});
    QVERIFY(url);
    RedisConnection connection(*url, QStringLiteral("wrong-ca"), RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    // Refused like an unreachable server, and tried again with the backoff (100, 200, 400 ms).
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 3, 5000);
    QVERIFY(ready.isEmpty());
    QVERIFY(!connection.isReady());
    for (const QList<QVariant> &error : std::as_const(errors)) {
        const QString message = error.first().toString();
        QVERIFY2(
            message.startsWith(
                QStringLiteral("rediss://127.0.0.1:%1: TLS certificate verification failed: ").arg(m_server.port())),
            qPrintable(message));
    }
}

void tst_RedisTls::neverFallsBackToPlaintext()
{
    // A server that answers in plaintext, as a redis-server without TLS would: the client only ever
    // sends it a TLS ClientHello (a handshake record, 0x16), never a command, and keeps failing.
    QTcpServer plaintext;
    QVERIFY(plaintext.listen(QHostAddress::LocalHost, 0));
    QList<QByteArray> received;
    connect(&plaintext, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = plaintext.nextPendingConnection()) {
            const qsizetype index = received.size();
            received.append(QByteArray());
            connect(socket, &QTcpSocket::readyRead, socket, [&received, socket, index] {
                received[index] += socket->readAll();
                socket->write("+OK\r\n");
            });
        }
    });
    std::optional<RedisUrl> url = tlsUrl(m_server, {m_certificates.ca(), {}, {}});
    QVERIFY(url);
    url->port = plaintext.serverPort();
    RedisConnection connection(*url, QStringLiteral("no-fallback"), RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2 && received.size() >= 2, 5000);
    QVERIFY(ready.isEmpty());
    for (const QByteArray &bytes : std::as_const(received)) {
        QVERIFY2(bytes.isEmpty() || bytes.startsWith('\x16'), bytes.left(32).toHex().constData());
        QVERIFY(!bytes.contains("SETNAME") && !bytes.contains("PING"));
    }
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(QLatin1String("TLS handshake failed")), qPrintable(message));
}

void tst_RedisTls::clientCertificate_data()
{
    QTest::addColumn<bool>("withCertificate");
    QTest::addRow("with --redis-cert and --redis-key") << true;
    QTest::addRow("without") << false;
}

void tst_RedisTls::clientCertificate()
{
    QFETCH(bool, withCertificate);
    const std::optional<RedisUrl> url
        = tlsUrl(m_strictServer, withCertificate ? clientFiles() : RedisTls::Files {m_certificates.ca(), {}, {}});
    QVERIFY(url);
    RedisConnection connection(*url, QStringLiteral("client-cert"), RedisConnection::Mode::Command);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy errors(&connection, &RedisConnection::errorOccurred);
    connection.open();
    if (withCertificate) {
        QVERIFY(ready.wait(5000));
        QVERIFY(errors.isEmpty());
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 5000);
    QVERIFY(ready.isEmpty());
    // The server refuses the session right after the handshake, with an alert.
    QStringList messages;
    for (const QList<QVariant> &error : std::as_const(errors))
        messages.append(error.first().toString());
    QVERIFY2(messages.first().startsWith(QStringLiteral("rediss://127.0.0.1:%1: ").arg(m_strictServer.port())),
             qPrintable(messages.first()));
    QVERIFY2(messages.join(QLatin1Char('\n')).contains(QLatin1String("TLS handshake failed")),
             qPrintable(messages.join(QLatin1Char('\n'))));
}

void tst_RedisTls::badFilesAreOptionErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("output");
    const QString url = m_server.urlString();
    const TestCertificates &files = m_certificates;
    QTest::addRow("missing CA") << QStringList {"--redis", url, "--redis-ca", "/nonexistent/ca.pem"} << QStringList()
                                << "cannot read the CA file /nonexistent/ca.pem";
    QTest::addRow("CA not PEM") << QStringList {"--redis", url, "--redis-ca", files.serverKey()} << QStringList()
                                << "holds no PEM certificate";
    QTest::addRow("certificate without key") << QStringList {"--redis", url, "--redis-cert", files.clientCertificate()}
                                             << QStringList() << "give both or neither";
    QTest::addRow("key not PEM") << QStringList {"--redis",     url,       "--redis-cert", files.clientCertificate(),
                                                 "--redis-key", files.ca()}
                                 << QStringList() << "is not an unencrypted PEM RSA or EC private key";
    QTest::addRow("key of another certificate")
        << QStringList {"--redis", url, "--redis-cert", files.serverCertificate(), "--redis-key", files.otherKey()}
        << QStringList() << "is not the key of the client certificate";
    QTest::addRow("key of another algorithm")
        << QStringList {"--redis", url, "--redis-cert", files.clientCertificate(), "--redis-key", files.serverKey()}
        << QStringList() << "is not the key of the client certificate";
    QTest::addRow("environment") << QStringList {"--redis", url} << QStringList {"REDIS_CA=/nonexistent/env.pem"}
                                 << "cannot read the CA file /nonexistent/env.pem";
    QTest::addRow("TLS files without rediss")
        << QStringList {"--redis", QStringLiteral("redis://127.0.0.1:%1").arg(m_server.port()), "--redis-ca",
                        files.ca()}
        << QStringList() << "are for a rediss:// (TLS) Redis URL";
    QTest::addRow("negative probe interval") << QStringList {"--redis", url, "--redis-probe-interval", "-5"}
                                             << QStringList() << "--redis-probe-interval/REDIS_PROBE_INTERVAL";
}

void tst_RedisTls::badFilesAreOptionErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, output);
    QProcess process;
    QProcessEnvironment variables = QProcessEnvironment::systemEnvironment();
    for (const QString &variable : std::as_const(environment))
        variables.insert(variable.section(QLatin1Char('='), 0, 0), variable.section(QLatin1Char('='), 1));
    process.setProcessEnvironment(variables);
    process.start(NodeProcess::program(), QStringList {"--host", "127.0.0.1", "--port", "0"} + arguments);
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitCode(), 2);
    const QString printed = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(printed.contains(output), qPrintable(printed));
}

void tst_RedisTls::nodeProcessOverTls()
{
    // Client certificates required, every setting from the environment, an EC client key.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("REDIS_URL"), m_strictServer.urlString());
    environment.insert(QStringLiteral("REDIS_CA"), m_certificates.ca());
    environment.insert(QStringLiteral("REDIS_CERT"), m_certificates.clientCertificate());
    environment.insert(QStringLiteral("REDIS_KEY"), m_certificates.clientKey());
    environment.insert(QStringLiteral("REDIS_PROBE_INTERVAL"), QStringLiteral("300"));
    NodeProcess node;
    QVERIFY2(node.start({"--host", "127.0.0.1", "--port", "0", "--node-id", "tls-proc"}, environment),
             qPrintable(node.errorString()));
    TestClient client;
    QUrl url = node.url();
    url.setQuery(QStringLiteral("room=vault"));
    QVERIFY(client.open(url));

    const std::optional<RedisUrl> redis = tlsUrl(m_strictServer, clientFiles());
    QVERIFY(redis);
    RedisClient publisher(*redis);
    QTRY_COMPARE(publisher.numsub("ws:room:vault"), 1);
    QCOMPARE(publisher.publish("ws:room:vault", R"({"payload":{"type":"ping"}})"), 1);
    QTRY_COMPARE(client.messages(), QStringList({R"({"type":"ping"})"}));
    // The probe interval reached the broker: its idle subscribe connection gets a PING long before
    // the default interval (1 s) would send one.
    const QRegularExpression probed(QStringLiteral("name=fanout:tls-proc:sub .* cmd=ping "));
    QTRY_VERIFY_WITH_TIMEOUT(QString::fromUtf8(publisher.command({"CLIENT", "LIST"}).string).contains(probed), 800);
    QCOMPARE(node.terminate(), 0);
}

void tst_RedisTls::nodeProcessSaysWhyItCannotConnect()
{
    QProcess node;
    node.start(NodeProcess::program(),
               {"--host", "127.0.0.1", "--port", "0", "--redis", m_server.urlString(), "--redis-ca",
                m_certificates.otherCa()});
    QVERIFY(node.waitForStarted(5000));
    QString printed;
    const QString expected
        = QStringLiteral("rediss://127.0.0.1:%1: TLS certificate verification failed").arg(m_server.port());
    QTRY_VERIFY2_WITH_TIMEOUT((printed += QString::fromUtf8(node.readAllStandardError())).contains(expected),
                              qPrintable(printed), 5000);
    QCOMPARE(node.state(), QProcess::Running);
    node.terminate();
    QVERIFY(node.waitForFinished(5000));
    QCOMPARE(node.exitCode(), 0);
}

void tst_RedisTls::studioInspectsOverTls_data()
{
    QTest::addColumn<QStringList>("tlsArguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output");
    const TestCertificates &files = m_certificates;
    QTest::addRow("client certificate") << QStringList {"--redis-ca",   files.ca(),
                                                        "--redis-cert", files.clientCertificate(),
                                                        "--redis-key",  files.clientKey()}
                                        << 0 << "fanout:studio-seen:sub";
    QTest::addRow("wrong CA") << QStringList {"--redis-ca",   files.otherCa(),
                                              "--redis-cert", files.clientCertificate(),
                                              "--redis-key",  files.clientKey()}
                              << 1 << "TLS certificate verification failed";
    QTest::addRow("bad key") << QStringList {"--redis-ca",  files.ca(),      "--redis-cert", files.clientCertificate(),
                                             "--redis-key", files.otherKey()}
                             << 2 << "is not the key of the client certificate";
}

void tst_RedisTls::studioInspectsOverTls()
{
    QFETCH(QStringList, tlsArguments);
    QFETCH(int, exitCode);
    QFETCH(QString, output);
    const std::optional<RedisUrl> url = tlsUrl(m_strictServer, clientFiles());
    QVERIFY(url);
    auto *broker = new fanout::RedisBroker(*url, QStringLiteral("studio-seen"));
    fanout::Node node(fanout::NodeConfig::named(QStringLiteral("studio-seen")), broker);
    QTRY_COMPARE(broker->state(), fanout::Broker::State::Connected);

    QProcess studio;
    studio.start(QStringLiteral(FANOUT_STUDIO_PATH),
                 QStringList {"--inspect", m_strictServer.urlString(), "--json"} + tlsArguments);
    // The studio waits on this event loop's node, so the loop runs while it works.
    QTRY_VERIFY_WITH_TIMEOUT(studio.state() == QProcess::NotRunning, 15000);
    const QByteArray out = studio.readAllStandardOutput();
    const QString printed = QString::fromUtf8(out + studio.readAllStandardError());
    QCOMPARE(studio.exitCode(), exitCode);
    QVERIFY2(printed.contains(output), qPrintable(printed));
    if (exitCode == 0)
        QCOMPARE(QJsonDocument::fromJson(out).object().value("read_only").toBool(), true);
}

QTEST_GUILESS_MAIN(tst_RedisTls)
#include "tst_redistls.moc"
