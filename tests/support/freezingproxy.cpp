#include "freezingproxy.h"

#include <QTcpSocket>

FreezingProxy::FreezingProxy(quint16 targetPort, QObject *parent) : QObject(parent), m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FreezingProxy::onNewConnection);
}

bool FreezingProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void FreezingProxy::freeze()
{
    m_links.removeAll(nullptr);
    for (Link *link : std::as_const(m_links))
        link->frozen = true;
}

void FreezingProxy::thaw()
{
    m_links.removeAll(nullptr);
    for (Link *link : std::as_const(m_links)) {
        link->frozen = false;
        link->relay();
    }
}

void FreezingProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_accepted;
        auto *link = new Link(client, new QTcpSocket(client));
        m_links.append(link);
        link->server->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

FreezingProxy::Link::Link(QTcpSocket *client, QTcpSocket *server) : QObject(client), client(client), server(server)
{
    // While frozen, what arrives waits in the sockets' read buffers; relay() moves it on thawing.
    connect(client, &QTcpSocket::readyRead, this, &Link::relay);
    connect(server, &QTcpSocket::readyRead, this, &Link::relay);
    connect(server, &QTcpSocket::connected, this, &Link::relay);
    connect(server, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
    connect(client, &QTcpSocket::disconnected, this, [client, server] {
        server->abort();
        client->deleteLater(); // with its children: the server socket and this link
    });
}

void FreezingProxy::Link::relay()
{
    if (frozen || server->state() != QAbstractSocket::ConnectedState)
        return;
    if (client->bytesAvailable() > 0)
        server->write(client->readAll());
    if (server->bytesAvailable() > 0)
        client->write(server->readAll());
}
