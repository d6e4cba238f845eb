#include "framewriter.h"

namespace fanout {

QByteArray FrameWriter::frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray frame;
    const qsizetype length = payload.size();
    frame.reserve(length + 10);
    frame.append(char(0x80 | opcode));
    if (length < 126) {
        frame.append(char(length));
    } else if (length <= 0xffff) {
        frame.append(char(126));
        frame.append(char((length >> 8) & 0xff));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(length) >> shift) & 0xff));
    }
    frame.append(payload);
    return frame;
}

QByteArray FrameWriter::close(int code, const QString &reason)
{
    QByteArray utf8 = reason.toUtf8();
    constexpr qsizetype maxReason = 123;
    if (utf8.size() > maxReason) {
        qsizetype cut = maxReason;
        while (cut > 0 && (quint8(utf8.at(cut)) & 0xc0) == 0x80)
            --cut;
        utf8.truncate(cut);
    }
    QByteArray payload;
    payload.append(char((code >> 8) & 0xff));
    payload.append(char(code & 0xff));
    payload.append(utf8);
    return frame(Close, payload);
}

}
