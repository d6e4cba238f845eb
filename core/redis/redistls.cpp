#include "redistls.h"

#include <QFile>
#include <QSslSocket>

namespace fanout {

namespace {

constexpr quint8 DerBitString = 0x03;
constexpr quint8 DerSequence = 0x30;
constexpr quint8 DerEcPublicKey = 0xa1; ///< ECPrivateKey's [1] publicKey

/// One DER element: its tag and its contents.
struct DerElement {
    quint8 tag = 0;
    QByteArray contents;

    bool operator==(const DerElement &other) const = default;
};

/// The elements that follow each other in der; empty when they do not parse.
QList<DerElement> derElements(QByteArrayView der)
{
    QList<DerElement> elements;
    while (!der.isEmpty()) {
        if (der.size() < 2)
            return {};
        qsizetype length = quint8(der[1]);
        qsizetype header = 2;
        if (length & 0x80) {
            const qsizetype bytes = length & 0x7f;
            if (bytes == 0 || bytes > 4 || der.size() < 2 + bytes)
                return {};
            length = 0;
            for (qsizetype i = 0; i < bytes; ++i)
                length = length << 8 | quint8(der[2 + i]);
            header += bytes;
        }
        if (length > der.size() - header)
            return {};
        elements.append({quint8(der[0]), der.sliced(header, length).toByteArray()});
        der = der.sliced(header + length);
    }
    return elements;
}

/// The fields of the one SEQUENCE that der is.
QList<DerElement> sequenceFields(QByteArrayView der)
{
    const QList<DerElement> outer = derElements(der);
    if (outer.size() != 1 || outer.first().tag != DerSequence)
        return {};
    return derElements(outer.first().contents);
}

/// A BIT STRING's bits, without the leading count of unused bits.
QByteArray bitStringBits(const DerElement &element)
{
    if (element.tag != DerBitString || element.contents.isEmpty())
        return {};
    return element.contents.sliced(1);
}

/// Whether the private key's public half is the certificate's public key. Qt (without OpenSSL's
/// API) gives the public key as SubjectPublicKeyInfo and the private key as PKCS#1 RSAPrivateKey
/// or SEC1 ECPrivateKey, which carry the public values: those are compared.
bool isKeyOf(const QSslKey &key, const QSslCertificate &certificate)
{
    if (key.algorithm() != certificate.publicKey().algorithm())
        return false;
    const QList<DerElement> subjectPublicKey = sequenceFields(certificate.publicKey().toDer());
    const QList<DerElement> privateKey = sequenceFields(key.toDer());
    if (subjectPublicKey.size() != 2)
        return false;
    const QByteArray publicBits = bitStringBits(subjectPublicKey.at(1));
    if (key.algorithm() == QSsl::Rsa) {
        // RSAPublicKey is {modulus, publicExponent}; RSAPrivateKey is {version, modulus, publicExponent, ...}.
        const QList<DerElement> publicFields = sequenceFields(publicBits);
        return publicFields.size() == 2 && privateKey.size() >= 3 && publicFields.at(0) == privateKey.at(1)
            && publicFields.at(1) == privateKey.at(2);
    }
    if (key.algorithm() == QSsl::Ec) {
        // ECPrivateKey is {version, privateKey, [0] parameters, [1] publicKey}; the point is the public key.
        for (const DerElement &field : privateKey) {
            if (field.tag == DerEcPublicKey) {
                const QList<DerElement> point = derElements(field.contents);
                return point.size() == 1 && !publicBits.isEmpty() && bitStringBits(point.first()) == publicBits;
            }
        }
    }
    return false;
}

std::optional<QByteArray> readFile(const QString &what, const QString &path, QString *fault)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *fault = QStringLiteral("cannot read the %1 %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
}

std::optional<QList<QSslCertificate>> readCertificates(const QString &what, const QString &path, QString *fault)
{
    const std::optional<QByteArray> pem = readFile(what, path, fault);
    if (!pem)
        return std::nullopt;
    QList<QSslCertificate> certificates = QSslCertificate::fromData(*pem, QSsl::Pem);
    certificates.removeIf([](const QSslCertificate &certificate) { return certificate.isNull(); });
    if (certificates.isEmpty()) {
        *fault = QStringLiteral("the %1 %2 holds no PEM certificate").arg(what, path);
        return std::nullopt;
    }
    return certificates;
}

std::optional<QSslKey> readPrivateKey(const QString &path, QString *fault)
{
    const std::optional<QByteArray> pem = readFile(QStringLiteral("client key"), path, fault);
    if (!pem)
        return std::nullopt;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
        const QSslKey key(*pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    *fault = QStringLiteral("the client key %1 is not an unencrypted PEM RSA or EC private key").arg(path);
    return std::nullopt;
}

RedisTls &processDefaults()
{
    static RedisTls tls;
    return tls;
}

}

std::optional<RedisTls> RedisTls::load(const Files &files, QString *error)
{
    QString fault;
    const auto fail = [&] {
        if (error)
            *error = fault;
        return std::nullopt;
    };
    RedisTls tls;
    if (!files.ca.isEmpty()) {
        std::optional<QList<QSslCertificate>> ca = readCertificates(QStringLiteral("CA file"), files.ca, &fault);
        if (!ca)
            return fail();
        tls.caCertificates = std::move(*ca);
    }
    if (files.certificate.isEmpty() != files.key.isEmpty()) {
        fault = QStringLiteral("a client certificate needs its key, and a key its certificate: give both or neither");
        return fail();
    }
    if (files.certificate.isEmpty())
        return tls;
    std::optional<QList<QSslCertificate>> chain
        = readCertificates(QStringLiteral("client certificate"), files.certificate, &fault);
    if (!chain)
        return fail();
    std::optional<QSslKey> key = readPrivateKey(files.key, &fault);
    if (!key)
        return fail();
    if (!isKeyOf(*key, chain->first())) {
        fault = QStringLiteral("the client key %1 is not the key of the client certificate %2")
                    .arg(files.key, files.certificate);
        return fail();
    }
    tls.certificateChain = std::move(*chain);
    tls.privateKey = std::move(key);
    return tls;
}

QSslConfiguration RedisTls::configuration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!caCertificates.isEmpty())
        configuration.setCaCertificates(caCertificates);
    if (!certificateChain.isEmpty() && privateKey) {
        configuration.setLocalCertificateChain(certificateChain);
        configuration.setPrivateKey(*privateKey);
    }
    return configuration;
}

void RedisTls::setDefaults(const RedisTls &tls)
{
    processDefaults() = tls;
}

RedisTls RedisTls::defaults()
{
    return processDefaults();
}

}
