#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUrl>

namespace fanout {

/// The opening handshake of RFC 6455 on the server side: reads the client's HTTP upgrade
/// request and writes the answer. A request is refused with 400 unless it is `GET <target>
/// HTTP/1.1` with a Host, `Upgrade: websocket`, `Connection: upgrade`, a Sec-WebSocket-Key of
/// 16 bytes in base64 and Sec-WebSocket-Version 13 (the refusal then names version 13).
class WebSocketHandshake
{
public:
    static constexpr qsizetype MaxRequestBytes = 8192;

    struct Request {
        QUrl target; ///< path and query of the request line
        QByteArray key;
        QByteArray origin; ///< empty when the client sent none
    };
    struct Result {
        enum class Status {
            Incomplete, ///< read more
            Ready,
            Bad ///< answer `response` and close
        };
        Status status = Status::Incomplete;
        qsizetype length = 0; ///< bytes of the request, frames may follow
        Request request;
        QByteArray response; ///< for Bad: the refusal
    };

    /// Reads the request at the start of data.
    static Result read(QByteArrayView data);
    /// The 101 answer that completes the handshake.
    static QByteArray accept(const QByteArray &key);
    /// An HTTP error answer with a text body; `headers` are extra lines, each ending in CRLF.
    static QByteArray refuse(int status, const QByteArray &text, const QByteArray &headers = {});
};

}
