/* Prototype B for scripts/edgecompare.sh (a measurement tool, not product code): a WebSocket
 * fan-out server on libwebsockets with the client-facing behaviour of fanout-node's room mode.
 * A client connects to ws://HOST:PORT/?room=R; every text message it sends goes as-is to every
 * member of R on this server, the sender included. One process, one service thread; each session
 * has a queue of shared messages and writes one per LWS_CALLBACK_SERVER_WRITEABLE, as lws asks.
 * Usage: lwsedge PORT [uv|ev]: lws's own poll(2) loop, or its libuv or libev event library. */
#include <libwebsockets.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* Like fanout-node: a client with more than this queued towards it is closed. */
#define MAX_QUEUED_BYTES (8u << 20)
/* Bytes lws reads for a connection at once, its per-connection receive buffer (lws's default is
 * 4096); a longer message arrives in pieces, which on_receive puts together. */
#ifndef RX_BUFFER_BYTES
#define RX_BUFFER_BYTES 1024
#endif

/* One message, allocated once with LWS_PRE bytes in front for lws's frame header and shared by
 * every recipient's queue (the header lws writes there is the same for every recipient). */
struct message { unsigned refs; size_t len; unsigned char buf[]; };

struct room { struct room *next; struct session *members; char name[]; };

struct session { /* lws's per-session user data, zeroed by lws */
    struct lws *wsi;
    struct room *room;
    struct session *prev, *next; /* the room's members */
    struct message **queue;      /* queue[head] is sent next */
    unsigned head, count, cap;
    size_t queued_bytes;
    unsigned char *partial; /* a message that arrived in pieces */
    size_t partial_len, partial_cap;
    int binary, closing;
};

static struct room *rooms;

static void unref(struct message *m)
{
    if (--m->refs == 0)
        free(m);
}

static void join(struct session *s, const char *name)
{
    struct room *r = rooms;
    while (r && strcmp(r->name, name))
        r = r->next;
    if (!r) {
        size_t n = strlen(name) + 1;
        r = calloc(1, sizeof *r + n);
        memcpy(r->name, name, n);
        r->next = rooms;
        rooms = r;
    }
    s->room = r;
    s->next = r->members;
    if (r->members)
        r->members->prev = s;
    r->members = s;
}

static void leave(struct session *s)
{
    struct room *r = s->room, **link;
    if (!r)
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        r->members = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->room = NULL;
    if (r->members)
        return;
    for (link = &rooms; *link != r; link = &(*link)->next) { }
    *link = r->next;
    free(r);
}

static void enqueue(struct session *s, struct message *m)
{
    if (s->closing)
        return;
    if (s->queued_bytes + m->len > MAX_QUEUED_BYTES) {
        s->closing = 1;
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (s->head + s->count == s->cap) {
        if (s->head) { /* slide down: the array keeps its size once a session's queue has grown */
            memmove(s->queue, s->queue + s->head, s->count * sizeof *s->queue);
            s->head = 0;
        } else {
            unsigned cap = s->cap ? 2 * s->cap : 4;
            struct message **queue = realloc(s->queue, cap * sizeof *queue);
            if (!queue)
                return;
            s->queue = queue;
            s->cap = cap;
        }
    }
    s->queue[s->head + s->count++] = m;
    m->refs++;
    s->queued_bytes += m->len;
    if (s->count == 1)
        lws_callback_on_writable(s->wsi);
}

static void broadcast(struct session *from, const void *data, size_t len)
{
    struct message *m = malloc(sizeof *m + LWS_PRE + len);
    struct session *s;
    if (!m)
        return;
    m->refs = 1; /* ours until every member has it */
    m->len = len;
    memcpy(m->buf + LWS_PRE, data, len);
    for (s = from->room->members; s; s = s->next)
        enqueue(s, m);
    unref(m);
}

static int on_receive(struct session *s, const void *in, size_t len)
{
    int last = lws_is_final_fragment(s->wsi) && !lws_remaining_packet_payload(s->wsi);
    if (s->partial_len == 0 && lws_is_first_fragment(s->wsi))
        s->binary = lws_frame_is_binary(s->wsi);
    if (last && s->partial_len == 0) { /* the usual case: a whole message in one piece */
        if (!s->binary && s->room)
            broadcast(s, in, len);
        return 0;
    }
    if (s->partial_len + len > MAX_QUEUED_BYTES)
        return -1;
    if (s->partial_len + len > s->partial_cap) {
        size_t cap = s->partial_cap ? s->partial_cap : 4096;
        unsigned char *p;
        while (cap < s->partial_len + len)
            cap *= 2;
        if (!(p = realloc(s->partial, cap)))
            return -1;
        s->partial = p;
        s->partial_cap = cap;
    }
    memcpy(s->partial + s->partial_len, in, len);
    s->partial_len += len;
    if (last) {
        if (!s->binary && s->room)
            broadcast(s, s->partial, s->partial_len);
        s->partial_len = 0;
    }
    return 0;
}

static int on_writeable(struct session *s)
{
    struct message *m;
    int n;
    if (!s->count)
        return 0;
    m = s->queue[s->head++];
    if (--s->count == 0)
        s->head = 0;
    s->queued_bytes -= m->len;
    n = lws_write(s->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT); /* lws keeps what the socket did not take */
    unref(m);
    if (n < 0)
        return -1;
    if (s->count)
        lws_callback_on_writable(s->wsi);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct session *s = user;
    char arg[256];
    const char *room;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        s->wsi = wsi;
        room = lws_get_urlarg_by_name(wsi, "room=", arg, sizeof arg);
        join(s, room ? room : "");
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return on_receive(s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(s);
    case LWS_CALLBACK_CLOSED:
        leave(s);
        for (; s->count; s->count--)
            unref(s->queue[s->head++]);
        free(s->queue);
        free(s->partial);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    {"fanout-room", callback, sizeof(struct session), RX_BUFFER_BYTES, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    struct lws_context *context;
    struct rlimit limit;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: lwsedge PORT [uv|ev]\n");
        return 2;
    }
    /* As fanout-node: the soft limit up to the hard one (lws sizes its descriptor table by it). */
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    memset(&info, 0, sizeof info);
    info.port = atoi(argv[1]);
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    if (argc == 3) /* an event library (epoll underneath) instead of poll(2) over every socket */
        info.options |= !strcmp(argv[2], "uv") ? LWS_SERVER_OPTION_LIBUV : LWS_SERVER_OPTION_LIBEV;
    if (!(context = lws_create_context(&info))) {
        fprintf(stderr, "lwsedge: cannot create the context\n");
        return 1;
    }
    printf("listening ws://127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    while (lws_service(context, 0) >= 0) { } /* until SIGTERM: nothing to tidy up */
    return 1;
}
