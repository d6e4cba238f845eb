// Prototype A for scripts/edgecompare.sh (a measurement tool, not product code): a WebSocket
// fan-out server on Boost.Beast/Asio with the client-facing behaviour of fanout-node's room mode.
// A client connects to ws://HOST:PORT/?room=R; every text message it sends goes as-is to every
// member of R on this server, the sender included. One process, one io_context thread.
// Usage: beastedge PORT
#include <utility> // before Boost 1.74's Asio, whose awaitable.hpp needs std::exchange under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// One message, allocated once and shared by every recipient's write queue.
using Message = std::shared_ptr<const std::string>;

class Session;
struct Room {
    std::vector<Session *> members;
};
std::unordered_map<std::string, Room> rooms; // node-based: a Room never moves while it exists

// Like fanout-node: a client with more than this queued towards it is closed.
constexpr std::size_t MaxQueuedBytes = 8 << 20;

std::string roomOf(beast::string_view target)
{
    const auto query = target.find('?');
    if (query == beast::string_view::npos)
        return {};
    beast::string_view args = target.substr(query + 1);
    while (!args.empty()) {
        const auto amp = args.find('&');
        const beast::string_view arg = args.substr(0, amp);
        if (arg.starts_with("room="))
            return std::string(arg.substr(5)); // no %-decoding: the bench's room names are plain
        if (amp == beast::string_view::npos)
            break;
        args.remove_prefix(amp + 1);
    }
    return {};
}

class Session : public std::enable_shared_from_this<Session>
{
public:
    explicit Session(tcp::socket socket) : ws_(std::move(socket)) { }

    ~Session() { leave(); }

    void start()
    {
        beast::error_code ignored;
        ws_.next_layer().set_option(tcp::no_delay(true), ignored);
        request_.emplace();
        http::async_read(ws_.next_layer(), buffer_, *request_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRequest(ec); });
    }

    // Queues one message; only one async_write is in flight per session.
    void deliver(const Message &message)
    {
        if (closed_)
            return;
        queuedBytes_ += message->size();
        if (queuedBytes_ > MaxQueuedBytes) {
            closed_ = true;
            beast::error_code ignored;
            ws_.next_layer().close(ignored); // the pending read fails and the session leaves
            return;
        }
        queue_.push_back(message);
        if (queue_.size() - head_ == 1)
            write();
    }

private:
    void onRequest(beast::error_code ec)
    {
        if (ec || !websocket::is_upgrade(*request_))
            return; // dropped: the session dies with its last handler
        roomName_ = roomOf(request_->target());
        ws_.auto_fragment(false);
        ws_.async_accept(*request_, [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
    }

    void onAccept(beast::error_code ec)
    {
        request_.reset(); // the request's fields and the handshake buffer are not needed any more
        buffer_.clear();
        buffer_.shrink_to_fit();
        if (ec)
            return;
        room_ = &rooms[roomName_];
        room_->members.push_back(this);
        ws_.text(true);
        read();
    }

    void read()
    {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec)
    {
        if (ec) {
            closed_ = true;
            leave();
            return;
        }
        if (ws_.got_text() && room_) {
            const auto data = buffer_.cdata();
            const Message message
                = std::make_shared<const std::string>(static_cast<const char *>(data.data()), data.size());
            for (Session *member : room_->members)
                member->deliver(message);
        }
        buffer_.consume(buffer_.size());
        read();
    }

    void write()
    {
        ws_.async_write(net::buffer(*queue_[head_]),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onWrite(ec); });
    }

    void onWrite(beast::error_code ec)
    {
        queuedBytes_ -= queue_[head_]->size();
        queue_[head_++].reset();
        if (head_ == queue_.size()) {
            queue_.clear(); // keeps its capacity: no allocation once a session's queue has grown
            head_ = 0;
        }
        if (ec) {
            closed_ = true;
            return;
        }
        if (head_ < queue_.size())
            write();
    }

    void leave()
    {
        if (!room_)
            return;
        auto &members = room_->members;
        for (auto &member : members) {
            if (member == this) {
                member = members.back();
                members.pop_back();
                break;
            }
        }
        if (members.empty())
            rooms.erase(roomName_);
        room_ = nullptr;
    }

    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buffer_; // the handshake, then each message read
    std::optional<http::request<http::empty_body>> request_;
    std::string roomName_;
    Room *room_ = nullptr;
    std::vector<Message> queue_; // queue_[head_] is being written
    std::size_t head_ = 0;
    std::size_t queuedBytes_ = 0;
    bool closed_ = false;
};

class Listener
{
public:
    Listener(net::io_context &io, unsigned short port) : io_(io), acceptor_(io), retry_(io)
    {
        const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    void accept()
    {
        acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
            if (ec) { // EMFILE and the like: try again a little later
                retry_.expires_after(std::chrono::milliseconds(100));
                retry_.async_wait([this](beast::error_code) { accept(); });
                return;
            }
            std::make_shared<Session>(std::move(socket))->start();
            accept();
        });
    }

private:
    net::io_context &io_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_;
};

}

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: beastedge PORT\n");
        return 2;
    }
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) { // as fanout-node: the soft limit up to the hard one
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    net::io_context io(1);
    Listener listener(io, static_cast<unsigned short>(std::stoi(argv[1])));
    listener.accept();
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](beast::error_code, int) { io.stop(); });
    std::printf("listening ws://127.0.0.1:%s\n", argv[1]);
    std::fflush(stdout);
    io.run();
    return 0;
}
