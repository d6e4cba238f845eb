#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace fanout {

/// Reads typed fields out of one JSON object (a scenario, a step) and remembers the first
/// problem, with its path: `steps[2].node: 5 is out of range [-1, 2]`.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString path, QString *error)
        : m_object(object), m_path(std::move(path)), m_error(error)
    { }

    bool ok() const { return m_error->isEmpty(); }
    /// Every field of the object must be one of `known`: a typo never falls back to a default.
    void checkKnown(const QStringList &known);
    void number(const char *key, double *target, double minimum, double maximum);
    void integer(const char *key, int *target, int minimum, int maximum);
    void string(const char *key, QString *target);

    template<typename Enum>
    void choice(const char *key, Enum *target, const std::vector<std::pair<const char *, Enum>> &choices)
    {
        QString text;
        string(key, &text);
        if (text.isEmpty())
            return;
        QStringList names;
        for (const auto &[name, value] : choices) {
            if (text == QLatin1String(name)) {
                *target = value;
                return;
            }
            names.append(QLatin1String(name));
        }
        fail(QLatin1String(key), QStringLiteral("\"%1\" is not one of %2").arg(text, names.join(QLatin1String(", "))));
    }

    void fail(const QString &key, const QString &problem);

private:
    const QJsonObject &m_object;
    QString m_path;
    QString *m_error;
};

}
