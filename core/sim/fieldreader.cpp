#include "fieldreader.h"

#include <QJsonValue>

#include <cmath>

namespace fanout {

void FieldReader::checkKnown(const QStringList &known)
{
    for (const QString &key : m_object.keys()) {
        if (!known.contains(key))
            fail(key, QStringLiteral("unknown field (known: %1)").arg(known.join(QLatin1String(", "))));
    }
}

void FieldReader::number(const char *key, double *target, double minimum, double maximum)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined())
        return;
    if (!value.isDouble()) {
        fail(QLatin1String(key), QStringLiteral("must be a number"));
        return;
    }
    const double number = value.toDouble();
    if (number < minimum || number > maximum) {
        fail(QLatin1String(key), QStringLiteral("%1 is out of range [%2, %3]").arg(number).arg(minimum).arg(maximum));
        return;
    }
    *target = number;
}

void FieldReader::integer(const char *key, int *target, int minimum, int maximum)
{
    double value = *target;
    number(key, &value, minimum, maximum);
    if (value != std::floor(value))
        fail(QLatin1String(key), QStringLiteral("must be a whole number"));
    *target = int(value);
}

void FieldReader::string(const char *key, QString *target)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined())
        return;
    if (!value.isString())
        fail(QLatin1String(key), QStringLiteral("must be a string"));
    *target = value.toString();
}

void FieldReader::fail(const QString &key, const QString &problem)
{
    if (m_error->isEmpty())
        *m_error = QStringLiteral("%1%2: %3").arg(m_path, key, problem);
}

}
