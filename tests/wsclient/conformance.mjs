// One conformance case of fanout-node's WebSocket edge, seen through the `ws` npm client, as a
// third-party client sees it: node conformance.mjs <ws-url> <case>, e.g.
//     node conformance.mjs ws://127.0.0.1:8080 room-echo
// prints one JSON line with what it observed and exits 0; tst_websocket compares the line with
// what docs/protocol.md promises. A case that cannot finish still prints what it saw, with
// "error" saying what it waited for. Usage errors exit 2; --list prints the cases.
//
// The line holds only what does not change between runs: session ids, the case's room and
// timestamps are replaced by <a>, <b>, <room> and <ts>.
import WebSocket from 'ws';

const WaitMs = 3000;
const CaseMs = 8000;
const MaxMessageBytes = 64 * 1024;

/// A ws client that records everything it sees, and waits for a condition on it.
class Client {
    constructor(url, options = {}, protocols = undefined) {
        this.frames = []; // {data: Buffer, binary: bool}
        this.pongs = [];
        this.opened = false;
        this.closed = null; // {code, reason}
        this.error = null;
        this.response = null; // a refused upgrade: {status, headers, body}
        this.upgrade = null; // the headers of the 101
        this.waiters = new Set();
        this.ws = new WebSocket(url, protocols, options);
        this.ws.on('open', () => this.saw(() => (this.opened = true)));
        this.ws.on('message', (data, binary) => this.saw(() => this.frames.push({ data, binary })));
        this.ws.on('pong', (data) => this.saw(() => this.pongs.push(data.toString())));
        this.ws.on('close', (code, reason) => this.saw(() => (this.closed = { code, reason: reason.toString() })));
        this.ws.on('error', (error) => this.saw(() => (this.error = error.message)));
        this.ws.on('upgrade', (response) => (this.upgrade = response.headers));
        this.ws.on('unexpected-response', (request, response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () =>
                this.saw(() => (this.response = { status: response.statusCode, headers: response.headers, body })));
        });
    }

    saw(record) {
        record();
        for (const waiter of this.waiters)
            waiter();
    }

    /// Resolves when condition() holds; rejects after WaitMs or, unless waiting for the end
    /// itself, as soon as the connection ended (closed, failed or refused) without it.
    until(condition, what, endsEarly = true) {
        return new Promise((resolve, reject) => {
            const check = () => {
                if (condition()) {
                    done();
                    resolve();
                } else if (endsEarly && (this.closed || this.error || this.response)) {
                    done();
                    const how = this.response ? `HTTP ${this.response.status}`
                        : this.closed ? `close ${this.closed.code} "${this.closed.reason}"` : this.error;
                    reject(new Error(`ended (${how}) while waiting for ${what}`));
                }
            };
            const timer = setTimeout(() => {
                done();
                reject(new Error(`timed out waiting for ${what}`));
            }, WaitMs);
            const done = () => {
                clearTimeout(timer);
                this.waiters.delete(check);
            };
            this.waiters.add(check);
            check();
        });
    }

    /// The close event's code and reason.
    async untilClosed() {
        await this.until(() => this.closed !== null, 'the close', false);
        return this.closed;
    }

    texts() {
        return this.frames.map((frame) => (frame.binary ? `<binary ${frame.data.length} bytes>` : frame.data.toString()));
    }

    objects() {
        return this.texts().map((text) => JSON.parse(text));
    }

    ofType(type) {
        return this.objects().filter((frame) => frame.type === type);
    }

    sendJson(value) {
        this.ws.send(JSON.stringify(value));
    }
}

const roomUrl = (base, room) => `${base}/?room=${encodeURIComponent(room)}`;

async function connect(url, options) {
    const client = new Client(url, options);
    await client.until(() => client.opened, `the upgrade of ${url}`);
    return client;
}

/// Typed clients: connected once the welcome came, which is their first frame.
async function connectTyped(base) {
    const client = await connect(`${base}/rooms`);
    await client.until(() => client.frames.length >= 1, 'the welcome');
    client.session = client.objects()[0].session;
    return client;
}

async function join(client, room) {
    client.sendJson({ type: 'join', room });
    await client.until(() => client.ofType('joined').some((frame) => frame.room === room), `joined ${room}`);
}

/// Sends each text from a room-mode client; reports where what comes back differs from
/// JSON.stringify(JSON.parse(text)).
async function compareWithStringify(base, room, seen, texts) {
    const client = await connect(roomUrl(base, room));
    for (const text of texts)
        client.ws.send(text);
    await client.until(() => client.frames.length === texts.length, `${texts.length} values back`);
    seen.differences = [];
    texts.forEach((text, i) => {
        const stringify = JSON.stringify(JSON.parse(text));
        const got = client.texts()[i];
        if (got !== stringify)
            seen.differences.push({ sent: text, got, stringify });
    });
}

/// What changes between runs, replaced by names: room, session ids, timestamps.
function normalize(value, names) {
    if (Array.isArray(value))
        return value.map((item) => normalize(item, names));
    if (value && typeof value === 'object') {
        const out = {};
        for (const [key, item] of Object.entries(value))
            out[key] = key === 'ts' && typeof item === 'number' ? '<ts>' : normalize(item, names);
        return out;
    }
    return typeof value === 'string' && names.has(value) ? names.get(value) : value;
}

// Each case gets the base URL and a room of its own, and fills `seen` as it goes, so a case that
// fails halfway still shows what it observed.
const cases = {
    // Room mode: every member, the sender included, gets each value once as compact JSON text,
    // in order ("end" comes next, nothing between). The keys are in sorted order here, as the
    // node writes them: json-key-order is about the order.
    async 'room-echo'(base, room, seen) {
        const sender = await connect(roomUrl(base, room));
        const member = await connect(roomUrl(base, room));
        sender.ws.send('{ "n" : [1, 2.50, -0], "none": null, "text" : "hi" }');
        sender.ws.send('"end"');
        await sender.until(() => sender.texts().includes('"end"'), 'the sender\'s own "end"');
        await member.until(() => member.texts().includes('"end"'), '"end" at the member');
        seen.sender = sender.texts();
        seen.member = member.texts();
    },

    // Room mode sends each value as JavaScript's JSON.stringify writes it: the ws client's own
    // JSON.stringify is the reference, and the line lists the values where the node differs.
    async 'compact-json'(base, room, seen) {
        await compareWithStringify(base, room, seen, [
            '{ "a" : 1 }', '{"a":1,"a":2}', '[ true, false, null, [], {} ]', '  7  ', '1E2', '2.50', '-0', '-0.0',
            '1.0', '0.1', '123.456', '1e21', '1.5e300', '1.2345e-10', '12345678901234567890',
            '"\\u00e9\\/"', '"\\u2028"', '"\\u0001\\b\\f\\n\\r\\t\\"\\\\"', '"\\ud800"',
            '"\\ud83d\\ude00"', '"<>&\'"', '"\u20ac"', '{"nested":{"list":[1,{"x":"y"}]}}',
        ]);
    },
    // Object keys in the order they came (integer-like keys first, ascending, as in JavaScript).
    async 'json-key-order'(base, room, seen) {
        await compareWithStringify(base, room, seen, ['{"b":1,"a":2}', '{"b":1,"10":2,"9":3,"a":4}']);
    },
    // Numbers from 1e-6 up to 1e21 without an exponent; exponents without leading zeros.
    async 'json-number-forms'(base, room, seen) {
        await compareWithStringify(base, room, seen, ['0.0001', '0.000001', '5e-7', '1e-9', '1e20']);
    },

    // Typed mode: the welcome first, join, the join event to every member, a message as a
    // message frame from the sender's session, to the sender too.
    async typed(base, room, seen) {
        const a = await connectTyped(base);
        const b = await connectTyped(base);
        await join(a, room);
        await a.until(() => a.ofType('user_joined').length === 1, 'a\'s own user_joined');
        await join(b, room);
        await a.until(() => a.ofType('user_joined').length === 2, 'b\'s user_joined at a');
        await b.until(() => b.ofType('user_joined').length === 1, 'b\'s own user_joined');
        a.sendJson({ type: 'message', room, content: { list: [1, 'two'], text: 'hi' } });
        await a.until(() => a.ofType('message').length === 1, 'the message back at a');
        await b.until(() => b.ofType('message').length === 1, 'the message at b');
        const names = new Map([[room, '<room>'], [a.session, '<a>'], [b.session, '<b>']]);
        seen.a = normalize(a.objects(), names);
        seen.b = normalize(b.objects(), names);
    },

    // Both modes share rooms; join and leave events are not sent to room-mode clients.
    async 'modes-share-rooms'(base, room, seen) {
        const plain = await connect(roomUrl(base, room));
        const typed = await connectTyped(base);
        await join(typed, room);
        await typed.until(() => typed.ofType('user_joined').length === 1, 'the typed client\'s user_joined');
        plain.ws.send('{"from":"room mode"}');
        await typed.until(() => typed.ofType('message').length === 1, 'the room-mode message');
        typed.sendJson({ type: 'message', room, content: 'from typed mode' });
        await plain.until(() => plain.frames.length === 2, 'the typed message at the room-mode client');
        const message = typed.ofType('message')[0];
        seen.plain = plain.texts();
        seen.typedContent = message.content;
        seen.typedFromIsASession = typeof message.from === 'string' && message.from !== typed.session;
    },

    // Bad frames get one error frame each and the connection stays.
    async 'typed-errors'(base, room, seen) {
        const client = await connectTyped(base);
        client.ws.send('{"type":');
        client.ws.send('[1]');
        client.sendJson({ type: 'shout' });
        client.sendJson({ type: 'message', room, content: 1 });
        client.sendJson({ type: 'join', room: '' });
        client.ws.send(Buffer.from([1, 2, 3]));
        await client.until(() => client.ofType('error').length === 6, 'six error frames');
        await join(client, room);
        seen.errors = client.ofType('error').map((frame) => frame.code);
        seen.joinedAfter = true;
    },

    // Room mode: what is not one JSON value, and binary frames, get an error frame; nothing is
    // published, the sender stays connected.
    async 'room-errors'(base, room, seen) {
        const sender = await connect(roomUrl(base, room));
        const member = await connect(roomUrl(base, room));
        sender.ws.send('not json');
        sender.ws.send('1 2');
        sender.ws.send(Buffer.from([0xde, 0xad]));
        sender.ws.send('"after"');
        await member.until(() => member.frames.length >= 1, 'the valid message at the member');
        await sender.until(() => sender.texts().includes('"after"'), 'the valid message back');
        seen.sender = sender.texts().map((text) => (text.startsWith('{') ? JSON.parse(text).code : text));
        seen.member = member.texts();
    },

    // A room-mode URL with an invalid room: upgraded, then closed 1008 with the reason.
    async 'invalid-room'(base, room, seen) {
        const long = new Client(roomUrl(base, 'r'.repeat(257)));
        const control = new Client(roomUrl(base, 'a\u0001b'));
        seen.long = await long.untilClosed();
        seen.control = await control.untilClosed();
        seen.opened = long.opened && control.opened;
    },

    // A client that stopped reading while more than 8 MiB were queued towards it is closed with
    // 1008; the other members go on. 24 MiB of 64 KiB messages fill the loopback's buffers and
    // the node's queue; the reader sees the close once it reads again. The sender, a member
    // too, sends 1 MiB at a time and reads it back, so that it is never the slow one.
    async 'slow-consumer'(base, room, seen) {
        const sender = await connect(roomUrl(base, room));
        const slow = await connect(roomUrl(base, room));
        slow.ws.pause();
        const text = `"${'x'.repeat(MaxMessageBytes - 2)}"`;
        const count = 384;
        for (let sent = 0; sent < count;) {
            for (let i = 0; i < 16; ++i, ++sent)
                sender.ws.send(text);
            await sender.until(() => sender.frames.length === sent, `${sent} messages back at the sender`);
        }
        slow.ws.resume();
        seen.slow = await slow.untilClosed();
        seen.slowGotFewer = slow.frames.length < count;
        seen.senderOpen = sender.ws.readyState === WebSocket.OPEN;
    },

    // Every ping is answered with a pong carrying its payload; unsolicited pongs are ignored.
    async ping(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.pong('unsolicited');
        client.ws.ping('are you there');
        client.ws.ping();
        client.ws.ping('x'.repeat(125));
        await client.until(() => client.pongs.length === 3, 'three pongs');
        seen.pongs = client.pongs.map((pong) => (pong.length > 20 ? `<${pong.length} bytes>` : pong));
        seen.frames = client.texts();
        seen.open = client.ws.readyState === WebSocket.OPEN;
    },

    // A text message in three fragments with a ping between them: the pong comes at once, the
    // message whole.
    async fragmented(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.send('{"parts":', { fin: false });
        client.ws.send('["one",', { fin: false });
        client.ws.ping('between');
        await client.until(() => client.pongs.length === 1, 'the pong between fragments');
        seen.framesBeforeTheLast = client.frames.length;
        client.ws.send('"two"]}', { fin: true });
        await client.until(() => client.frames.length === 1, 'the reassembled message');
        seen.pongs = client.pongs;
        seen.frames = client.texts();
    },

    // A character split between two fragments is valid UTF-8 as a whole.
    async 'utf8-across-fragments'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        const euro = Buffer.from('"\u20ac"');
        client.ws.send(euro.subarray(0, 3), { binary: false, fin: false });
        client.ws.send(euro.subarray(3), { binary: false, fin: true });
        await client.until(() => client.frames.length === 1, 'the message');
        seen.frames = client.texts();
    },

    // The close handshake: the node answers with the client's code (no reason), or none for none.
    async 'close-4000'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.close(4000, 'done here');
        seen.close = await client.untilClosed();
    },
    async 'close-1000'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.close(1000, 'bye');
        seen.close = await client.untilClosed();
    },
    async 'close-without-code'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.close();
        seen.close = await client.untilClosed();
    },

    // 64 KiB is allowed and comes back whole (the node's frame has a 64-bit length).
    async 'at-the-limit'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        const text = `"${'x'.repeat(MaxMessageBytes - 2)}"`;
        client.ws.send(text);
        await client.until(() => client.frames.length === 1, 'the message');
        seen.bytes = client.frames[0].data.length;
        seen.same = client.texts()[0] === text;
    },
    // One byte more: 1009.
    async 'too-big'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.send(`"${'x'.repeat(MaxMessageBytes - 1)}"`);
        seen.close = await client.untilClosed();
        seen.frames = client.texts();
    },
    // The limit holds for all fragments together.
    async 'too-big-fragmented'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        const half = 'x'.repeat(MaxMessageBytes / 2);
        client.ws.send(`"${half}`, { fin: false });
        client.ws.send(`${half}"`, { fin: true });
        seen.close = await client.untilClosed();
        seen.frames = client.texts();
    },

    // A text frame that is not UTF-8: 1007. ws sends a Buffer as text when told binary: false.
    async 'invalid-utf8'(base, room, seen) {
        const client = await connect(roomUrl(base, room));
        client.ws.send(Buffer.from([0x22, 0xc3, 0x28, 0x22]), { binary: false });
        seen.close = await client.untilClosed();
        seen.frames = client.texts();
    },

    // ws offers permessage-deflate by default; the node negotiates no extension, so the
    // connection runs uncompressed, with messages ws would otherwise compress.
    async 'permessage-deflate'(base, room, seen) {
        const client = await connect(roomUrl(base, room), { perMessageDeflate: { threshold: 0 } });
        seen.extensionsHeader = client.upgrade['sec-websocket-extensions'] ?? null;
        seen.extensions = client.ws.extensions;
        const text = JSON.stringify({ text: 'compressible '.repeat(200) });
        client.ws.send(text);
        client.ws.send('"small"');
        await client.until(() => client.frames.length === 2, 'both messages back');
        seen.same = client.texts()[0] === text && client.texts()[1] === '"small"';
    },

    // No subprotocol is negotiated: the 101 names none, so ws refuses a connection it asked
    // one for; without one it connects with protocol "".
    async subprotocol(base, room, seen) {
        const asking = new Client(roomUrl(base, room), {}, ['chat']);
        await asking.until(() => asking.error !== null, 'ws to refuse the upgrade');
        seen.protocolHeader = asking.upgrade?.['sec-websocket-protocol'] ?? null;
        seen.error = asking.error;
        const plain = await connect(roomUrl(base, room));
        seen.protocolWithout = plain.ws.protocol;
    },

    // Another Sec-WebSocket-Version: 400, naming the version the node speaks.
    async 'version-8'(base, room, seen) {
        const client = new Client(roomUrl(base, room), { protocolVersion: 8 });
        await client.until(() => client.response !== null, 'the refusal');
        seen.status = client.response.status;
        seen.version = client.response.headers['sec-websocket-version'] ?? null;
        seen.opened = client.opened;
    },

    // Batching parameters out of range refuse the upgrade with 400 and the reason.
    async 'batch-refused'(base, room, seen) {
        const client = new Client(`${base}/rooms?batch=0`);
        await client.until(() => client.response !== null, 'the refusal');
        seen.status = client.response.status;
        seen.body = client.response.body.trim();
    },
};

async function main() {
    const [url, name] = process.argv.slice(2);
    if (url === '--list') {
        console.log(Object.keys(cases).join('\n'));
        return 0;
    }
    if (!url || !name || !cases[name] || !/^wss?:\/\/[^/]+$/.test(url.replace(/\/$/, ''))) {
        console.error(`usage: node conformance.mjs <ws://host:port> <case>\ncases: ${Object.keys(cases).join(', ')}`);
        return 2;
    }
    const base = url.replace(/\/$/, '');
    const room = `${name}-${process.pid}`;
    const seen = {};
    const timeout = new Promise((resolve, reject) =>
        setTimeout(() => reject(new Error(`the case took more than ${CaseMs} ms`)), CaseMs).unref());
    try {
        await Promise.race([cases[name](base, room, seen), timeout]);
    } catch (error) {
        seen.error = error.message;
    }
    console.log(JSON.stringify(seen));
    return 0;
}

// Exit at once: connections still open end with the process, as a killed client's would.
process.exit(await main());
