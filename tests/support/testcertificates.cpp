#include "testcertificates.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

bool TestCertificates::generate()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder: %1").arg(m_dir.errorString());
        return false;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty()) {
        m_error = QStringLiteral("openssl is not on PATH: install the Debian package openssl (scripts/test.sh does)");
        return false;
    }
    return makeCa(QStringLiteral("ca"), QStringLiteral("/CN=Fanout Test CA"))
        && makeCa(QStringLiteral("other-ca"), QStringLiteral("/CN=Some Other CA"))
        && makeSigned(QStringLiteral("server"), QStringLiteral("/CN=127.0.0.1"), {"-newkey", "rsa:2048"},
                      QStringLiteral("subjectAltName=IP:127.0.0.1\n"))
        && makeSigned(QStringLiteral("client"), QStringLiteral("/CN=fanout-test-client"),
                      {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"},
                      QStringLiteral("extendedKeyUsage=clientAuth\n"));
}

bool TestCertificates::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2")
                      .arg(arguments.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

bool TestCertificates::makeCa(const QString &name, const QString &subject)
{
    return openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject, "-keyout",
                    path(name + ".key"), "-out", path(name + ".crt")});
}

bool TestCertificates::makeSigned(const QString &name, const QString &subject, const QStringList &newKey,
                                  const QString &extensions)
{
    QFile extensionFile(path(name + ".ext"));
    if (!extensionFile.open(QIODevice::WriteOnly) || extensionFile.write(extensions.toUtf8()) < 0) {
        m_error = QStringLiteral("cannot write %1").arg(extensionFile.fileName());
        return false;
    }
    extensionFile.close();
    return openssl(QStringList {"req", "-nodes", "-subj", subject, "-keyout", path(name + ".key"), "-out",
                                path(name + ".csr")}
                   + newKey)
        && openssl({"x509", "-req", "-days", "2", "-in", path(name + ".csr"), "-CA", ca(), "-CAkey",
                    path(QStringLiteral("ca.key")), "-CAcreateserial", "-extfile", extensionFile.fileName(), "-out",
                    path(name + ".crt")});
}
