#include "fleetdialog.h"

#include "redis/redisurl.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

FleetDialog::FleetDialog(const fanout::Scenario &scenario, const QString &redisUrl, QWidget *parent)
    : QDialog(parent), m_scenario(scenario), m_nodes(new QSpinBox), m_clients(new QSpinBox), m_rooms(new QSpinBox),
      m_roomsPerClient(new QSpinBox), m_payload(new QSpinBox), m_balancer(new QComboBox), m_broker(new QComboBox),
      m_url(new QLineEdit(redisUrl.isEmpty() ? QStringLiteral("redis://127.0.0.1:6379") : redisUrl)),
      m_urlError(new QLabel)
{
    setWindowTitle(tr("Fleet and broker"));
    m_nodes->setRange(1, 256);
    m_nodes->setValue(scenario.nodes);
    m_clients->setRange(0, 1000000);
    m_clients->setValue(scenario.clients);
    m_rooms->setRange(1, 100000);
    m_rooms->setValue(scenario.rooms);
    m_roomsPerClient->setRange(1, 1000);
    m_roomsPerClient->setValue(scenario.roomsPerClient);
    m_payload->setRange(2, 1024 * 1024);
    m_payload->setSuffix(tr(" bytes"));
    m_payload->setValue(scenario.payloadBytes);
    m_balancer->addItems({tr("round robin"), tr("least connections")});
    m_balancer->setCurrentIndex(scenario.balancer == fanout::Scenario::Balancer::LeastConnections ? 1 : 0);
    m_broker->addItems({tr("in-process (no Redis needed)"), tr("Redis at this URL")});
    m_broker->setCurrentIndex(redisUrl.isEmpty() ? 0 : 1);
    m_url->setEnabled(!redisUrl.isEmpty());
    connect(m_broker, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_url->setEnabled(index == 1);
        validate();
    });
    auto *form = new QFormLayout(this);
    form->addRow(tr("Nodes"), m_nodes);
    form->addRow(tr("Virtual clients"), m_clients);
    form->addRow(tr("Rooms"), m_rooms);
    form->addRow(tr("Rooms per client"), m_roomsPerClient);
    form->addRow(tr("Payload size"), m_payload);
    form->addRow(tr("Load balancer"), m_balancer);
    form->addRow(tr("Broker"), m_broker);
    form->addRow(tr("Redis URL"), m_url);
    m_urlError->setObjectName(QStringLiteral("urlError"));
    m_urlError->setWordWrap(true);
    m_urlError->setStyleSheet(QStringLiteral("color: #c62828"));
    form->addRow(QString(), m_urlError);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Restart with these"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &FleetDialog::validate);
    connect(m_rooms, &QSpinBox::valueChanged, this, &FleetDialog::validate);
    connect(m_roomsPerClient, &QSpinBox::valueChanged, this, &FleetDialog::validate);
    validate();
}

void FleetDialog::validate()
{
    QString error;
    bool ok = m_roomsPerClient->value() <= m_rooms->value();
    if (m_broker->currentIndex() == 1 && !fanout::RedisUrl::parse(m_url->text(), &error))
        ok = false;
    m_url->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("background: #ffcdd2"));
    m_urlError->setText(explainUrlError(error));
    m_urlError->setVisible(!error.isEmpty());
    if (auto *buttons = findChild<QDialogButtonBox *>())
        buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

QString FleetDialog::explainUrlError(const QString &error)
{
    if (error.isEmpty())
        return {};
    // The parser's message starts by quoting the whole URL, which is right above the label.
    const qsizetype quoteEnd = error.indexOf(QLatin1String("\": "));
    const QString reason = quoteEnd >= 0 ? error.mid(quoteEnd + 3) : error;
    return tr("Not a Redis URL: %1.\nWrite redis://host:port (rediss:// for TLS), with user:password@ before the "
              "host if Redis asks for one, redis+sentinel://host:port/MASTER or redis+cluster://host:port.")
        .arg(reason);
}

fanout::Scenario FleetDialog::scenario() const
{
    fanout::Scenario s = m_scenario;
    s.nodes = m_nodes->value();
    s.clients = m_clients->value();
    s.rooms = m_rooms->value();
    s.roomsPerClient = m_roomsPerClient->value();
    s.payloadBytes = m_payload->value();
    s.senders = std::min(s.senders, s.clients);
    s.balancer = m_balancer->currentIndex() == 1 ? fanout::Scenario::Balancer::LeastConnections
                                                 : fanout::Scenario::Balancer::RoundRobin;
    // The scenario's words describe its own fleet: another fleet is not what they say.
    if (s.nodes != m_scenario.nodes || s.clients != m_scenario.clients || s.rooms != m_scenario.rooms
        || s.roomsPerClient != m_scenario.roomsPerClient) {
        s.description.clear();
        s.summary.clear();
    }
    std::erase_if(s.steps,
                  [&s](const fanout::ScenarioStep &step) { return step.node >= s.nodes || step.client >= s.clients; });
    return s;
}

QString FleetDialog::redisUrl() const
{
    return m_broker->currentIndex() == 1 ? m_url->text().trimmed() : QString();
}
