#include "websockethandshake.h"

#include <QCryptographicHash>
#include <QHash>

namespace fanout {

namespace {

const char *reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    default:
        return "Error";
    }
}

/// Whether a comma-separated header value holds token, case-insensitively.
bool hasToken(const QByteArray &value, QByteArrayView token)
{
    for (const QByteArray &part : value.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

WebSocketHandshake::Result bad(const QByteArray &text, const QByteArray &headers = {})
{
    WebSocketHandshake::Result result;
    result.status = WebSocketHandshake::Result::Status::Bad;
    result.response = WebSocketHandshake::refuse(400, text, headers);
    return result;
}

}

WebSocketHandshake::Result WebSocketHandshake::read(QByteArrayView data)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return data.size() > MaxRequestBytes ? bad("request too long\n") : Result();
    const QList<QByteArray> lines = data.first(end).toByteArray().split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    // QWebSocket asks for "?query" when its URL has no path: taken as the root.
    if (requestLine.size() != 3 || requestLine.at(0) != "GET" || !requestLine.at(2).startsWith("HTTP/1.1")
        || !(requestLine.at(1).startsWith('/') || requestLine.at(1).startsWith('?')))
        return bad("a WebSocket upgrade is GET <path> HTTP/1.1\n");
    QHash<QByteArray, QByteArray> headers;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon <= 0)
            return bad("malformed header line\n");
        QByteArray &value = headers[lines.at(i).first(colon).trimmed().toLower()];
        value += (value.isEmpty() ? "" : ",") + lines.at(i).mid(colon + 1).trimmed();
    }
    const QByteArray key = headers.value("sec-websocket-key");
    if (!headers.contains("host") || !hasToken(headers.value("upgrade"), "websocket")
        || !hasToken(headers.value("connection"), "upgrade"))
        return bad("not a WebSocket upgrade request\n");
    if (headers.value("sec-websocket-version") != "13")
        return bad("only WebSocket version 13 is served\n", "Sec-WebSocket-Version: 13\r\n");
    if (QByteArray::fromBase64(key).size() != 16)
        return bad("Sec-WebSocket-Key must be 16 bytes in base64\n");
    Result result;
    result.status = Result::Status::Ready;
    result.length = end + 4;
    result.request.target = QUrl(QString::fromLatin1(requestLine.at(1)));
    result.request.key = key;
    result.request.origin = headers.value("origin");
    return result;
}

QByteArray WebSocketHandshake::accept(const QByteArray &key)
{
    const QByteArray digest
        = QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: "
        + digest.toBase64() + "\r\n\r\n";
}

QByteArray WebSocketHandshake::refuse(int status, const QByteArray &text, const QByteArray &headers)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: text/plain\r\nConnection: close\r\n" + headers
        + "Content-Length: " + QByteArray::number(text.size()) + "\r\n\r\n" + text;
}

}
