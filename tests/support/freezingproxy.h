#pragma once

#include <QList>
#include <QPointer>
#include <QTcpServer>

class QTcpSocket;

/// A TCP relay on loopback between clients and a server (a redis-server) that a test can freeze:
/// frozen, the connections it relays stay open but carry no byte either way, as behind a hung
/// network or a dead proxy. Connections accepted later relay normally. A side that closes closes
/// the other.
class FreezingProxy : public QObject
{
    Q_OBJECT
public:
    explicit FreezingProxy(quint16 targetPort, QObject *parent = nullptr);

    /// Listens on a free loopback port; false if it cannot.
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    /// Connections accepted so far.
    int accepted() const { return m_accepted; }

    /// Stops relaying on every connection open now.
    void freeze();
    /// Relays again, what was held back first.
    void thaw();

private:
    /// One relayed connection, a child of its client socket (as the server socket is): both go
    /// when the client does.
    struct Link : QObject {
        Link(QTcpSocket *client, QTcpSocket *server);
        void relay();

        QTcpSocket *client;
        QTcpSocket *server;
        bool frozen = false;
    };
    void onNewConnection();

    quint16 m_targetPort;
    QTcpServer m_server;
    QList<QPointer<Link>> m_links;
    int m_accepted = 0;
};
