#include "node/tokenverifier.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

#include <optional>

using fanout::TokenVerifier;
using Failure = TokenVerifier::Failure;

namespace {

const QByteArray Secret = "correct horse battery staple";
constexpr qint64 NowMs = 1'700'000'000'000;
constexpr qint64 NowSeconds = NowMs / 1000;
const QByteArray HeaderHS256 = R"({"alg":"HS256","typ":"JWT"})";
const QByteArray Alice = R"({"sub":"alice"})";

// The negative cases are built here by hand, not with TokenVerifier::sign, so that the test does
// not share a mistake with the code it checks.
QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray signature(const QByteArray &signingInput, const QByteArray &key = Secret,
                     QCryptographicHash::Algorithm algorithm = QCryptographicHash::Sha256)
{
    return base64Url(QMessageAuthenticationCode::hash(signingInput, key, algorithm));
}

QByteArray handMade(const QByteArray &header, const QByteArray &payload, const QByteArray &key = Secret)
{
    const QByteArray signingInput = base64Url(header) + '.' + base64Url(payload);
    return signingInput + '.' + signature(signingInput, key);
}

QByteArray withExp(const QByteArray &exp)
{
    return R"({"sub":"alice","exp":)" + exp + '}';
}

QByteArray withSub(const QByteArray &sub)
{
    return R"({"sub":)" + sub + '}';
}

// The shortest valid token of at least `size` bytes, grown with a filler claim.
QByteArray tokenOfSize(qsizetype size)
{
    for (qsizetype filler = 0;; ++filler) {
        const QByteArray token = handMade(HeaderHS256, R"({"sub":"alice","pad":")" + QByteArray(filler, 'x') + "\"}");
        if (token.size() >= size)
            return token;
    }
}

// Signed over its own text, so that only the encoding is wrong.
QByteArray withPayloadText(const QByteArray &encodedPayload)
{
    const QByteArray signingInput = base64Url(HeaderHS256) + '.' + encodedPayload;
    return signingInput + '.' + signature(signingInput);
}

const QByteArray Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The same signature spelled with the unused low bits of its last character set: Qt's decoder
// alone would read it as the original.
QByteArray withLooseTrailingBits(const QByteArray &token)
{
    QByteArray loose = token;
    loose.back() = Alphabet.at(Alphabet.indexOf(token.back()) | 1);
    return loose;
}

}

class tst_Token : public QObject
{
    Q_OBJECT
private slots:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void signRoundTrips();
    void farFutureExpiry();
    void sizeLimit();
    void emptySecretDisables();
};

void tst_Token::accepts_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("user");
    QTest::addColumn<std::optional<qint64>>("expiresAtMs");
    QTest::addRow("valid, expiry read back") << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds + 60)))
                                             << QStringLiteral("alice") << std::optional<qint64>(NowMs + 60'000);
    QTest::addRow("no exp, never expires")
        << handMade(HeaderHS256, Alice) << QStringLiteral("alice") << std::optional<qint64>();
    QTest::addRow("fractional exp") << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds) + ".25"))
                                    << QStringLiteral("alice") << std::optional<qint64>(NowMs + 250);
    QTest::addRow("header without typ") << handMade(R"({"alg":"HS256"})", Alice) << QStringLiteral("alice")
                                        << std::optional<qint64>();
    QTest::addRow("sub of 128 characters") << handMade(HeaderHS256, withSub('"' + QByteArray(128, 'u') + '"'))
                                           << QString(128, u'u') << std::optional<qint64>();
    QTest::addRow("sub of printable ASCII edges")
        << handMade(HeaderHS256, withSub(R"(" a~")")) << QStringLiteral(" a~") << std::optional<qint64>();
    QTest::addRow("exp half a millisecond ahead")
        << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds) + ".0005")) << QStringLiteral("alice")
        << std::optional<qint64>(NowMs + 1);
}

void tst_Token::accepts()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, user);
    QFETCH(std::optional<qint64>, expiresAtMs);
    const TokenVerifier::Result result = TokenVerifier(Secret).verify(token, NowMs);
    QVERIFY2(result.verified, qPrintable(result.message));
    QCOMPARE(result.verified->user, user);
    QCOMPARE(result.verified->expiresAtMs, expiresAtMs);
}

void tst_Token::refuses_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<Failure>("failure");
    const QByteArray valid = handMade(HeaderHS256, Alice);
    const QList<QByteArray> parts = valid.split('.');

    QTest::addRow("wrong key") << handMade(HeaderHS256, Alice, "another secret") << Failure::BadSignature;
    QTest::addRow("alg none, unsigned") << base64Url(R"({"alg":"none","typ":"JWT"})") + '.' + base64Url(Alice) + '.'
                                        << Failure::UnsupportedAlgorithm;
    QTest::addRow("alg none, signed") << handMade(R"({"alg":"none"})", Alice) << Failure::UnsupportedAlgorithm;
    const QByteArray hs512Input = base64Url(R"({"alg":"HS512","typ":"JWT"})") + '.' + base64Url(Alice);
    QTest::addRow("alg HS512") << hs512Input + '.' + signature(hs512Input, Secret, QCryptographicHash::Sha512)
                               << Failure::UnsupportedAlgorithm;
    QTest::addRow("alg in lower case") << handMade(R"({"alg":"hs256"})", Alice) << Failure::UnsupportedAlgorithm;
    QTest::addRow("alg not a string") << handMade(R"({"alg":["HS256"]})", Alice) << Failure::UnsupportedAlgorithm;
    QTest::addRow("missing alg") << handMade(R"({"typ":"JWT"})", Alice) << Failure::UnsupportedAlgorithm;
    QTest::addRow("tampered payload") << parts[0] + '.' + base64Url(R"({"sub":"mallory"})") + '.' + parts[2]
                                      << Failure::BadSignature;
    const QByteArray tamperedSignature = (parts[2].startsWith('A') ? 'B' : 'A') + parts[2].mid(1);
    QTest::addRow("tampered signature") << parts[0] + '.' + parts[1] + '.' + tamperedSignature << Failure::BadSignature;
    QTest::addRow("empty signature") << parts[0] + '.' + parts[1] + '.' << Failure::BadSignature;
    QTest::addRow("signature of another token")
        << parts[0] + '.' + parts[1] + '.' + handMade(HeaderHS256, "{}").split('.')[2] << Failure::BadSignature;

    QTest::addRow("empty") << QByteArray() << Failure::Malformed;
    QTest::addRow("two parts") << parts[0] + '.' + parts[1] << Failure::Malformed;
    QTest::addRow("four parts") << valid + '.' + parts[2] << Failure::Malformed;
    QTest::addRow("bad base64 character") << valid.left(5) + '*' + valid.mid(6) << Failure::Malformed;
    const QByteArray plus = QByteArray(R"({"sub":"~~~"})").toBase64(QByteArray::OmitTrailingEquals);
    const QByteArray slash = QByteArray(R"({"sub":"???"})").toBase64(QByteArray::OmitTrailingEquals);
    const QByteArray padded = QByteArray(R"({"sub":"alic"})").toBase64(QByteArray::Base64UrlEncoding);
    QTest::addRow("base64 '+'") << withPayloadText(plus) << Failure::Malformed;
    QTest::addRow("base64 '/'") << withPayloadText(slash) << Failure::Malformed;
    QTest::addRow("padded base64url") << withPayloadText(padded) << Failure::Malformed;
    QTest::addRow("loose trailing bits") << withLooseTrailingBits(valid) << Failure::Malformed;
    QTest::addRow("invalid UTF-8 in token") << valid + "\xff" << Failure::Malformed;
    QTest::addRow("non-JSON header") << handMade("not json", Alice) << Failure::Malformed;
    QTest::addRow("header an array") << handMade(R"(["HS256"])", Alice) << Failure::Malformed;
    QTest::addRow("payload an array") << handMade(HeaderHS256, R"(["alice"])") << Failure::Malformed;
    QTest::addRow("payload not JSON") << handMade(HeaderHS256, "alice") << Failure::Malformed;
    QTest::addRow("invalid UTF-8 in payload") << handMade(HeaderHS256, "{\"sub\":\"\xff\"}") << Failure::Malformed;
    QTest::addRow("exp a string") << handMade(HeaderHS256, withExp(R"("1900000000")")) << Failure::Malformed;
    QTest::addRow("exp null") << handMade(HeaderHS256, withExp("null")) << Failure::Malformed;
    QTest::addRow("exp beyond a double") << handMade(HeaderHS256, withExp("1e400")) << Failure::Malformed;
    QTest::addRow("dots only") << QByteArray("..") << Failure::Malformed;
    QTest::addRow("a megabyte of dots") << QByteArray(1 << 20, '.') << Failure::Malformed;

    QTest::addRow("sub missing") << handMade(HeaderHS256, R"({"name":"alice"})") << Failure::InvalidSubject;
    QTest::addRow("sub empty") << handMade(HeaderHS256, withSub(R"("")")) << Failure::InvalidSubject;
    QTest::addRow("sub of 129 characters")
        << handMade(HeaderHS256, withSub('"' + QByteArray(129, 'u') + '"')) << Failure::InvalidSubject;
    QTest::addRow("sub with a control character")
        << handMade(HeaderHS256, withSub(R"("al\u0001ice")")) << Failure::InvalidSubject;
    QTest::addRow("sub with a tab") << handMade(HeaderHS256, withSub(R"("al\tice")")) << Failure::InvalidSubject;
    QTest::addRow("sub with DEL") << handMade(HeaderHS256, withSub(R"("al\u007fice")")) << Failure::InvalidSubject;
    QTest::addRow("sub not ASCII") << handMade(HeaderHS256, withSub("\"al\xc3\xa9\"")) << Failure::InvalidSubject;
    QTest::addRow("sub a number") << handMade(HeaderHS256, withSub("42")) << Failure::InvalidSubject;

    QTest::addRow("expired") << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds - 60))) << Failure::Expired;
    QTest::addRow("exp exactly now") << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds)))
                                     << Failure::Expired;
    QTest::addRow("exp half a millisecond ago")
        << handMade(HeaderHS256, withExp(QByteArray::number(NowSeconds - 1) + ".9995")) << Failure::Expired;
    QTest::addRow("exp far in the past") << handMade(HeaderHS256, withExp("-1e300")) << Failure::Expired;
}

void tst_Token::refuses()
{
    QFETCH(QByteArray, token);
    QFETCH(Failure, failure);
    const TokenVerifier::Result result = TokenVerifier(Secret).verify(token, NowMs);
    QVERIFY(!result.verified);
    QVERIFY2(result.failure == failure, qPrintable(result.message));
    QVERIFY(!result.message.isEmpty());
}

void tst_Token::signRoundTrips()
{
    const QJsonObject claims {{"sub", "bob"}, {"exp", double(NowSeconds + 3600)}, {"room", "lobby"}};
    const QByteArray token = TokenVerifier::sign(Secret, claims);
    QCOMPARE(token, handMade(HeaderHS256, QJsonDocument(claims).toJson(QJsonDocument::Compact)));

    const TokenVerifier::Result result = TokenVerifier(Secret).verify(token, NowMs);
    QVERIFY2(result.verified, qPrintable(result.message));
    QCOMPARE(result.verified->user, QStringLiteral("bob"));
    QCOMPARE(result.verified->expiresAtMs, NowMs + 3'600'000);

    QCOMPARE(TokenVerifier("another secret").verify(token, NowMs).failure, Failure::BadSignature);
    const TokenVerifier::Result late = TokenVerifier(Secret).verify(token, NowMs + 3'600'000);
    QVERIFY(!late.verified);
    QCOMPARE(late.failure, Failure::Expired);
    QVERIFY2(late.message.contains("bob"), qPrintable(late.message));
}

void tst_Token::farFutureExpiry()
{
    const TokenVerifier::Result result = TokenVerifier(Secret).verify(handMade(HeaderHS256, withExp("1e300")), NowMs);
    QVERIFY2(result.verified, qPrintable(result.message));
    QVERIFY(result.verified->expiresAtMs > NowMs); // saturated, not overflowed
}

void tst_Token::sizeLimit()
{
    const TokenVerifier verifier(Secret);
    const QByteArray largest = tokenOfSize(TokenVerifier::MaxTokenBytes);
    QCOMPARE(largest.size(), TokenVerifier::MaxTokenBytes);
    QVERIFY(verifier.verify(largest, NowMs).verified);
    const QByteArray tooLarge = tokenOfSize(TokenVerifier::MaxTokenBytes + 1);
    QCOMPARE(tooLarge.size(), TokenVerifier::MaxTokenBytes + 1);
    const TokenVerifier::Result result = verifier.verify(tooLarge, NowMs);
    QVERIFY(!result.verified);
    QCOMPARE(result.failure, Failure::Malformed);
}

void tst_Token::emptySecretDisables()
{
    QVERIFY(TokenVerifier(Secret).isEnabled());
    const TokenVerifier disabled {QByteArray()};
    QVERIFY(!disabled.isEnabled());
    const TokenVerifier::Result result = disabled.verify(handMade(HeaderHS256, Alice, QByteArray()), NowMs);
    QVERIFY(!result.verified);
    QCOMPARE(result.failure, Failure::BadSignature);
}

QTEST_GUILESS_MAIN(tst_Token)
#include "tst_token.moc"
