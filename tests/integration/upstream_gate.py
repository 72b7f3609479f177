"""A TLS- and SASL-terminating Kafka proxy in front of a MockUpstream: the
real TLS peer and the SASL peer that checks credentials which the librdkafka
mock cluster is not. Standard library only (plus raw_kafka's Writer and
Reader).

    certs = TestCertificates(directory)          # tls_certs.py
    with UpstreamGate(mock,
                      tls={"cert": certs.server_cert, "key": certs.server_key,
                           "ca": certs.ca},      # ca: require client certs
                      sasl={"mechanisms": ["PLAIN", "SCRAM-SHA-256"],
                            "users": {"alice": "secret"}},
                      host="localhost") as gate:
        ... gate.bootstrap, gate.auth_successes, gate.auth_failures,
            gate.handshake_failures ...

One listening port per mock broker. Bytes go both ways unchanged but for
three things, so that clients stay behind the gate and can log in:
- Metadata and FindCoordinator responses name `host` and the gate's port
  for each broker instead of the mock's address;
- with `sasl`, the gate answers SaslHandshake (v0, v1) and SaslAuthenticate
  (v0-v2) itself: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802/7677,
  4096 iterations) against `users`. A wrong password gets
  SASL_AUTHENTICATION_FAILED and a closed connection; before a successful
  login, any request but those two and ApiVersions closes the connection.
  (SaslHandshake v0 is answered, but the bare tokens that follow it are
  not understood: Kafka clients of today use v1.)
- an ApiVersions response without SaslHandshake or SaslAuthenticate gets
  them added (v0-1 and v0-2).
"""

import asyncio
import base64
import functools
import hashlib
import hmac
import secrets
import ssl
import struct
import threading

from raw_kafka import Reader, Writer

METADATA = 3
FIND_COORDINATOR = 10
SASL_HANDSHAKE = 17
API_VERSIONS = 18
SASL_AUTHENTICATE = 36

ILLEGAL_SASL_STATE = 34
UNSUPPORTED_SASL_MECHANISM = 33
SASL_AUTHENTICATION_FAILED = 58

SCRAM_HASHES = {"SCRAM-SHA-256": hashlib.sha256, "SCRAM-SHA-512": hashlib.sha512}
SCRAM_ITERATIONS = 4096
AUTH_FAILED = "Authentication failed: Invalid username or password"


def _flexible_response(api_key, version):
    """Whether a response of this version uses compact encodings (and, but
    for ApiVersions, response header v1 with tagged fields)."""
    return version >= {METADATA: 9, FIND_COORDINATOR: 3, API_VERSIONS: 3,
                       SASL_AUTHENTICATE: 2}.get(api_key, 1 << 15)


def _splice(data, edits):
    """`data` with each (start, end, replacement) applied."""
    out = bytearray()
    at = 0
    for start, end, replacement in sorted(edits):
        out += data[at:start] + replacement
        at = end
    return bytes(out + data[at:])


def _response_reader(body, api_key, version):
    """A Reader on a response frame, past the correlation id and header."""
    flexible = _flexible_response(api_key, version)
    r = Reader(body, flexible)
    r.int32()
    if api_key != API_VERSIONS:
        r.tags()
    return r


def _address_edit(r, node_id, ports, host):
    """Reads host and port at r; an edit naming the gate for node_id."""
    start = r.at
    r.string()
    r.int32()
    if node_id not in ports:
        return []
    return [(start, r.at, Writer(r.flexible).string(host).int32(ports[node_id]).value())]


def rewrite_metadata(body, version, ports, host):
    r = _response_reader(body, METADATA, version)
    if version >= 3:
        r.int32()  # throttle_time_ms
    edits = []

    def broker(r):
        edits.extend(_address_edit(r, r.int32(), ports, host))
        if version >= 1:
            r.string()  # rack
        r.tags()
    r.array(broker)
    return _splice(body, edits)


def rewrite_find_coordinator(body, version, ports, host):
    r = _response_reader(body, FIND_COORDINATOR, version)
    if version >= 1:
        r.int32()  # throttle_time_ms
    edits = []
    if version < 4:
        r.int16()
        if version >= 1:
            r.string()  # error_message
        edits.extend(_address_edit(r, r.int32(), ports, host))
    else:
        def coordinator(r):
            r.string()  # key
            edits.extend(_address_edit(r, r.int32(), ports, host))
            r.int16()
            r.string()
            r.tags()
        r.array(coordinator)
    return _splice(body, edits)


def add_sasl_versions(body, version):
    """An ApiVersions response listing SaslHandshake and SaslAuthenticate."""
    r = _response_reader(body, API_VERSIONS, version)
    if r.int16() != 0:
        return body
    start = r.at
    entries, keys = [], set()

    def entry(r):
        at = r.at
        keys.add(r.int16())
        r.int16()
        r.int16()
        r.tags()
        entries.append(r.data[at:r.at])
    r.array(entry)
    end = r.at
    for key, top in ((SASL_HANDSHAKE, 1), (SASL_AUTHENTICATE, 2)):
        if key not in keys:
            entries.append(Writer(r.flexible).int16(key).int16(0).int16(top).tags().value())
    w = Writer(r.flexible)
    w.array(entries, lambda w, e: w.out.extend(e))
    return _splice(body, [(start, end, w.value())])


class _Request:
    """A request frame's header; `r` reads its body."""

    def __init__(self, frame):
        self.frame = frame
        self.api_key, self.version, self.correlation = struct.unpack_from(">hhi", frame)
        flexible = self.api_key == SASL_AUTHENTICATE and self.version >= 2
        self.r = Reader(frame, flexible)
        self.r.at = 8
        n = self.r.int16()  # client_id: a non-compact string in every header
        self.r.at += max(n, 0)
        self.r.tags()


class _Scram:
    """The server side of one SCRAM exchange (RFC 5802)."""

    def __init__(self, mechanism, users):
        self.hash = SCRAM_HASHES[mechanism]
        self.users = users
        self.stage = "first"

    def _hmac(self, key, msg):
        return hmac.new(key, msg, self.hash).digest()

    def step(self, token):
        """(server token, done) or raises ValueError on a failed login."""
        text = token.decode()
        if self.stage == "first":
            _, _, bare = text.split(",", 2)
            attrs = dict(a.split("=", 1) for a in bare.split(","))
            user = attrs["n"].replace("=2C", ",").replace("=3D", "=")
            if user not in self.users:
                raise ValueError("unknown user")
            salt = secrets.token_bytes(16)
            salted = hashlib.pbkdf2_hmac(self.hash().name, self.users[user].encode(), salt,
                                         SCRAM_ITERATIONS)
            self.client_key = self._hmac(salted, b"Client Key")
            self.server_key = self._hmac(salted, b"Server Key")
            self.nonce = attrs["r"] + base64.b64encode(secrets.token_bytes(18)).decode()
            self.server_first = "r=%s,s=%s,i=%d" % (
                self.nonce, base64.b64encode(salt).decode(), SCRAM_ITERATIONS)
            self.client_first_bare = bare
            self.stage = "final"
            return self.server_first.encode(), False
        if self.stage != "final":
            raise ValueError("SCRAM exchange already finished")
        self.stage = "done"
        without_proof, proof = text.rsplit(",p=", 1)
        attrs = dict(a.split("=", 1) for a in without_proof.split(","))
        # librdkafka sends its own nonce again in front of ours; Kafka
        # accepts that (it checks the ending), so the gate does too.
        if not attrs.get("r", "").endswith(self.nonce):
            raise ValueError("nonce mismatch")
        auth_message = ",".join((self.client_first_bare, self.server_first,
                                 without_proof)).encode()
        stored_key = self.hash(self.client_key).digest()
        signature = self._hmac(stored_key, auth_message)
        recovered = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
        if not hmac.compare_digest(self.hash(recovered).digest(), stored_key):
            raise ValueError("wrong password")
        verifier = base64.b64encode(self._hmac(self.server_key, auth_message)).decode()
        return ("v=" + verifier).encode(), True


class _Close(Exception):
    """Ends a connection (after what was written is flushed)."""


class _Connection:
    """One client connection and its connection to the mock broker."""

    def __init__(self, gate, client, upstream):
        self.gate = gate
        self.client_reader, self.client_writer = client
        self.up_reader, self.up_writer = upstream
        self.pending = {}  # correlation id -> (api key, version) sent upstream
        self.authenticated = gate.sasl is None
        self.mechanism = None
        self.scram = None

    async def run(self):
        tasks = [asyncio.ensure_future(self._requests()),
                 asyncio.ensure_future(self._responses())]
        done, rest = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in rest:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _frame(reader):
        size, = struct.unpack(">i", await reader.readexactly(4))
        return await reader.readexactly(size)

    def _answer(self, request, body, flexible_header=False):
        header = struct.pack(">i", request.correlation) + (b"\x00" if flexible_header else b"")
        frame = header + body
        self.client_writer.write(struct.pack(">i", len(frame)) + frame)

    async def _requests(self):
        try:
            while True:
                frame = await self._frame(self.client_reader)
                request = _Request(frame)
                if self.gate.sasl is not None and request.api_key == SASL_HANDSHAKE:
                    self._handshake(request)
                elif self.gate.sasl is not None and request.api_key == SASL_AUTHENTICATE:
                    self._authenticate(request)
                elif self.authenticated or request.api_key == API_VERSIONS:
                    self.pending[request.correlation] = (request.api_key, request.version)
                    self.up_writer.write(struct.pack(">i", len(frame)) + frame)
                    await self.up_writer.drain()
                else:
                    raise _Close()
                await self.client_writer.drain()
        except (_Close, asyncio.IncompleteReadError, ConnectionError):
            await self.client_writer.drain()

    async def _responses(self):
        gate = self.gate
        try:
            while True:
                frame = await self._frame(self.up_reader)
                correlation, = struct.unpack_from(">i", frame)
                api_key, version = self.pending.pop(correlation, (None, None))
                if api_key == METADATA:
                    frame = rewrite_metadata(frame, version, gate.ports, gate.host)
                elif api_key == FIND_COORDINATOR:
                    frame = rewrite_find_coordinator(frame, version, gate.ports, gate.host)
                elif api_key == API_VERSIONS:
                    frame = add_sasl_versions(frame, version)
                self.client_writer.write(struct.pack(">i", len(frame)) + frame)
                await self.client_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def _handshake(self, request):
        mechanism = request.r.string()
        offered = self.gate.sasl["mechanisms"]
        error = 0 if mechanism in offered else UNSUPPORTED_SASL_MECHANISM
        if error == 0:
            self.mechanism = mechanism
            self.scram = None
        self._answer(request, Writer().int16(error).array(offered, Writer.string).value())

    def _authenticate(self, request):
        token = request.r.bytes()
        flexible = request.version >= 2
        try:
            if self.mechanism is None:
                raise _Close()
            if self.mechanism == "PLAIN":
                _, user, password = token.split(b"\0")
                if self.gate.sasl["users"].get(user.decode()) != password.decode():
                    raise ValueError("wrong password")
                reply, done = b"", True
            else:
                if self.scram is None:
                    self.scram = _Scram(self.mechanism, self.gate.sasl["users"])
                reply, done = self.scram.step(token)
        except _Close:
            self._sasl_response(request, flexible, ILLEGAL_SASL_STATE,
                                "SaslAuthenticate before SaslHandshake", b"")
            raise
        except (ValueError, KeyError, UnicodeDecodeError):
            self.gate.auth_failures += 1
            self._sasl_response(request, flexible, SASL_AUTHENTICATION_FAILED, AUTH_FAILED, b"")
            raise _Close() from None
        if done:
            self.gate.auth_successes += 1
            self.authenticated = True
        self._sasl_response(request, flexible, 0, None, reply)

    def _sasl_response(self, request, flexible, error, message, token):
        w = Writer(flexible).int16(error).string(message).bytes(token)
        if request.version >= 1:
            w.int64(0)  # session_lifetime_ms: no re-authentication
        self._answer(request, w.tags().value(), flexible_header=flexible)


def _server_context(tls):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(tls["cert"], tls["key"])
    if tls.get("ca"):
        ctx.load_verify_locations(tls["ca"])
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class UpstreamGate:
    def __init__(self, mock, tls=None, sasl=None, host="localhost"):
        self.mock = mock
        self.host = host
        self.sasl = sasl
        self.ssl = _server_context(tls) if tls else None
        self.auth_successes = 0
        self.auth_failures = 0
        self.handshake_failures = 0
        self.ports = {}  # broker id -> the gate's port for it
        self._servers = []
        self._writers = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        try:
            for broker_id in sorted(mock.brokers):
                self.ports[broker_id] = self._call(self._listen(broker_id))
        except BaseException:
            self.stop()
            raise

    @property
    def bootstrap(self):
        return "%s:%d" % (self.host, self.ports[min(self.ports)])

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    async def _listen(self, broker_id):
        """Listens on 127.0.0.1 and, where there is IPv6, on ::1 with the
        same port, so that whichever address "localhost" gives a client
        reaches the gate."""
        handler = functools.partial(self._serve, broker_id)
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        self._servers.append(server)
        port = server.sockets[0].getsockname()[1]
        try:
            self._servers.append(await asyncio.start_server(handler, "::1", port))
        except OSError:
            pass
        return port

    async def _serve(self, broker_id, reader, writer):
        self._writers.add(writer)
        up_writer = None
        try:
            if self.ssl is not None:
                try:
                    await writer.start_tls(self.ssl)
                except (ssl.SSLError, OSError, EOFError):
                    self.handshake_failures += 1
                    return
            host, port = self.mock.brokers[broker_id]
            try:
                up_reader, up_writer = await asyncio.open_connection(host, port)
            except OSError:
                return  # the mock broker is down: so is the gate's
            self._writers.add(up_writer)
            await _Connection(self, (reader, writer), (up_reader, up_writer)).run()
        finally:
            for w in (writer, up_writer):
                if w is not None:
                    self._writers.discard(w)
                    w.close()

    async def _shutdown(self):
        for server in self._servers:
            server.close()
        for w in list(self._writers):
            w.close()
        for server in self._servers:
            await server.wait_closed()

    def stop(self):
        if self._loop.is_closed():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
