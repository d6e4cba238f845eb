#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

#include <optional>

namespace fanout {

/// What a rediss:// connection trusts and presents: the CA certificates the server's certificate
/// must chain to (none given: the system's CAs), and optionally a client certificate with its
/// private key. The files are read once, up front, so that a bad file is a startup error and not a
/// connection that keeps failing.
struct RedisTls {
    /// PEM files; an empty path leaves its part out.
    struct Files {
        QString ca;
        QString certificate;
        QString key;

        bool isEmpty() const { return ca.isEmpty() && certificate.isEmpty() && key.isEmpty(); }
    };

    QList<QSslCertificate> caCertificates; ///< empty: the system's CAs
    QList<QSslCertificate> certificateChain; ///< the client's certificate first; empty: none
    /// Optional rather than an empty key: constructing a QSslKey loads Qt's TLS backend, which
    /// must not happen for every URL (the studio parses URLs before its application exists).
    std::optional<QSslKey> privateKey;

    /// Reads the files; nothing and *error naming the file and its fault when one is unreadable,
    /// holds no PEM certificate or unencrypted RSA/EC key, when only one of certificate and key is
    /// given, or when the key is not the certificate's.
    static std::optional<RedisTls> load(const Files &files, QString *error);

    /// A TLS client configuration on Qt's defaults that verifies the server's certificate chain and
    /// its name, with these CAs and client certificate.
    QSslConfiguration configuration() const;

    /// The settings every rediss:// URL parsed afterwards starts with (RedisUrl::parse), for a
    /// program that hands its Redis URLs around as text, as the studio does. Set it before any
    /// other thread parses URLs.
    static void setDefaults(const RedisTls &tls);
    static RedisTls defaults();
};

}
