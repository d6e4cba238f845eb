#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

/// PEM files made with the openssl command in a temporary folder, for TLS tests: a CA, a server
/// certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1, RSA) and a client certificate (EC) it
/// signed, and another CA that signed neither.
class TestCertificates
{
public:
    /// Makes the files; false with errorString() when openssl is missing or fails.
    bool generate();
    QString errorString() const { return m_error; }

    /// The path of a file in the folder, e.g. path("ca.crt").
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString ca() const { return path(QStringLiteral("ca.crt")); }
    QString otherCa() const { return path(QStringLiteral("other-ca.crt")); }
    QString serverCertificate() const { return path(QStringLiteral("server.crt")); }
    QString serverKey() const { return path(QStringLiteral("server.key")); }
    QString clientCertificate() const { return path(QStringLiteral("client.crt")); }
    QString clientKey() const { return path(QStringLiteral("client.key")); }
    /// The private key of the other CA: a key that belongs to no client certificate.
    QString otherKey() const { return path(QStringLiteral("other-ca.key")); }

private:
    bool openssl(const QStringList &arguments);
    bool makeCa(const QString &name, const QString &subject);
    bool makeSigned(const QString &name, const QString &subject, const QStringList &newKey, const QString &extensions);

    QTemporaryDir m_dir;
    QString m_error;
};
