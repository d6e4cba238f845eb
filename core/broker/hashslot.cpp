#include "hashslot.h"

#include <array>

namespace fanout {

namespace {

constexpr std::array<quint16, 256> crc16Table()
{
    std::array<quint16, 256> table {};
    for (int byte = 0; byte < 256; ++byte) {
        quint16 crc = quint16(byte << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
        table[size_t(byte)] = crc;
    }
    return table;
}

constexpr std::array<quint16, 256> Crc16Table = crc16Table();

quint16 crc16(QByteArrayView data)
{
    quint16 crc = 0;
    for (const char c : data)
        crc = quint16((crc << 8) ^ Crc16Table[size_t(((crc >> 8) ^ quint8(c)) & 0xff)]);
    return crc;
}

}

QByteArrayView HashSlot::hashedPart(QByteArrayView name)
{
    const qsizetype open = name.indexOf('{');
    if (open < 0)
        return name;
    const qsizetype close = name.indexOf('}', open + 1);
    if (close < 0 || close == open + 1)
        return name;
    return name.sliced(open + 1, close - open - 1);
}

quint16 HashSlot::of(QByteArrayView name)
{
    return crc16(hashedPart(name)) & (Count - 1);
}

QByteArray HashSlot::keyBeside(const QByteArray &channel, const char *suffix)
{
    if (hashedPart(channel).size() != channel.size())
        return channel + suffix;
    return '{' + channel + '}' + suffix;
}

}
