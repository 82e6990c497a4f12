"""A real SMTP server for the smtp provider tests: Debian's aiosmtpd on 127.0.0.1, several listeners.

Started by test/providers/servers.ts with /usr/bin/python3. Prints one JSON line with the ports once every
listener accepts connections, then serves until stdin closes (so it never outlives the test run).

Listeners:
  plain     no TLS; AUTH PLAIN and LOGIN over plain text (auth_require_tls=False)
  login     no TLS; AUTH LOGIN only (PLAIN excluded), to prove the client picks what the server offers
  starttls  STARTTLS with a self-signed certificate; AUTH only after TLS (aiosmtpd's default)
  tls       implicit TLS with the same certificate

Credentials: test/providers/credentials.ts (SMTP_USER, SECRETS.SMTP_PASSWORD).

Recipients steer the answer: reject-* -> 550 at RCPT, tempfail-* -> 451 at RCPT, hang-* -> RCPT answered only
after 30 s, noid-* -> a final 250 without a queue id. Each accepted message is written to OUT/<queue id>.eml
(exactly the bytes after dot-unstuffing) and OUT/<queue id>.json (envelope, auth, parsed headers and parts).
"""

import asyncio
import email
import itertools
import json
import os
import socket
import ssl
import sys
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "tern-user", "s3cret pass:word"
out_dir, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
counter = itertools.count(1)


class Handler:
    def __init__(self, name):
        self.name = name

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("tempfail"):
            return "451 4.7.1 <%s>: Recipient address rejected: try again later" % address
        if local.startswith("hang"):
            await asyncio.sleep(30)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        queue_id = "TQ%05d%s" % (next(counter), self.name.upper())
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.SMTP)
        parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
        record = {
            "listener": self.name,
            "queueId": queue_id,
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "auth": getattr(session, "tern_auth", None),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "headers": {k: str(v) for k, v in msg.items()},
            "parts": parts,
            "defects": [str(d) for d in msg.defects],
            "raw": raw.decode("utf-8", "replace"),
        }
        with open(os.path.join(out_dir, queue_id + ".eml"), "wb") as f:
            f.write(raw)
        with open(os.path.join(out_dir, queue_id + ".json"), "w") as f:
            json.dump(record, f)
        if envelope.rcpt_tos and envelope.rcpt_tos[0].startswith("noid"):
            return "250 OK"
        return "250 2.0.0 Ok: queued as " + queue_id


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    if ok:
        session.tern_auth = {"mechanism": mechanism, "user": USER}
    return AuthResult(success=ok, handled=False)


def tls_context():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def free_port():
    # aiosmtpd 1.4 probes its own port once started, so it cannot listen on port 0 itself
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    common = dict(hostname="127.0.0.1", authenticator=authenticator, server_hostname="smtp.test", ready_timeout=10)
    controllers = {
        "plain": Controller(Handler("plain"), port=free_port(), auth_require_tls=False, **common),
        "login": Controller(Handler("login"), port=free_port(), auth_require_tls=False, auth_exclude_mechanism=["PLAIN"], **common),
        "starttls": Controller(Handler("starttls"), port=free_port(), tls_context=tls_context(), **common),
        # implicit TLS happens below aiosmtpd, which cannot tell, so AUTH must be allowed explicitly
        "tls": Controller(Handler("tls"), port=free_port(), ssl_context=tls_context(), auth_require_tls=False, **common),
    }
    for c in controllers.values():
        c.start()
    ports = {name: c.port for name, c in controllers.items()}
    print(json.dumps(ports), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    for c in controllers.values():
        c.stop()


main()
