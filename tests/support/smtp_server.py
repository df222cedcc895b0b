#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for policy-diff's tests, on 127.0.0.1 only.

Stores each accepted message as a file in DIR (named by the time it was accepted; first line
`X-RcptTo: …`, then the message as received), and can misbehave on purpose: refuse chosen
recipients with 4xx or 5xx, wait before accepting each message, drop the connection after N
messages, or store message N and hold its reply (creating DIR/held) so that a test can kill
the client in that window. Logs each connection greeted (DIR/sessions.log, one line each) and, for
each piece of data received, the commands that arrived in it (DIR/arrivals.log, e.g.
`MAIL RCPT DATA` when a client pipelines); offers PIPELINING with --pipelining, and refuses
connections beyond --max-connections with 421. Relay answers: --quota-after N refuses every
MAIL after N messages with Google's daily quota reply (550 5.4.5); --busy-rcpt answers 421 to
RCPT for chosen recipients and hangs up; --defer-data takes a chosen recipient's message and
then answers 452 4.2.2 (mailbox full), logging its Message-ID (DIR/deferred.log). Each refusal
of a recipient is logged (DIR/refusals.log: `ADDRESS CODE`). Refusals that do not say whose
fault they are: --policy-rcpt answers Postfix's `554 5.7.1 … Recipient address rejected:
Access denied` to RCPT for chosen recipients; --submission-quota-after N takes each message
after the Nth and answers Microsoft 365's `554 5.2.0 … SubmissionQuotaExceededException`.
Prints `ready PORT` on stdout once it accepts connections.
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys
import time

import re

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

COMMAND = re.compile(rb"^(MAIL FROM:|RCPT TO:|DATA\r?$|RSET\r?$|QUIT\r?$|EHLO |NOOP)", re.I | re.M)
OPEN = {"count": 0}


class RecordingSMTP(SMTP):
    """aiosmtpd's server, logging connections and how commands arrive."""

    def __init__(self, handler, args, **kwargs):
        super().__init__(handler, **kwargs)
        self.args = args
        self.counted = False

    def connection_made(self, transport):
        fresh = self._original_transport is None
        super().connection_made(transport)
        if not fresh:
            return  # the same connection, after STARTTLS
        if self.args.max_connections and OPEN["count"] >= self.args.max_connections:
            with open(os.path.join(self.args.dir, "refused.log"), "a") as log:
                log.write("refused\n")
            transport.write(b"421 4.7.0 Too many connections, try again later\r\n")
            transport.close()
            return
        OPEN["count"] += 1
        self.counted = True

    def connection_lost(self, error):
        if self.counted:
            OPEN["count"] -= 1
            self.counted = False
        super().connection_lost(error)

    def data_received(self, data):
        commands = [m.group(1).split(b" ")[0].split(b":")[0].strip().upper().decode() for m in COMMAND.finditer(data)]
        if commands:
            with open(os.path.join(self.args.dir, "arrivals.log"), "a") as log:
                log.write("%.6f %s\n" % (time.time(), " ".join(commands)))
        super().data_received(data)


class RecordingController(Controller):
    def __init__(self, handler, args, **kwargs):
        self.args = args
        super().__init__(handler, **kwargs)

    def factory(self):
        return RecordingSMTP(self.handler, self.args, **self.SMTP_kwargs)


class Handler:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.temp = set(a.lower() for a in args.reject_temp.split(",") if a)
        self.perm = set(a.lower() for a in args.reject_perm.split(",") if a)
        self.busy_rcpt = set(a.lower() for a in args.busy_rcpt.split(",") if a)
        self.defer_data = set(a.lower() for a in args.defer_data.split(",") if a)
        self.policy_rcpt = set(a.lower() for a in args.policy_rcpt.split(",") if a)

    def refused(self, address, code):
        with open(os.path.join(self.args.dir, "refusals.log"), "a") as log:
            log.write("%s %s\n" % (address.lower(), code))

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # One line per connection greeted (not per EHLO: a client may say EHLO again after
        # STARTTLS), so that tests can count connections.
        if not getattr(server, "greeted", False):
            server.greeted = True
            with open(os.path.join(self.args.dir, "sessions.log"), "a") as log:
                log.write("%s\n" % hostname)
        session.host_name = hostname
        if self.args.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails = getattr(self, "mails", 0) + 1
        if self.args.busy_after and self.mails == self.args.busy_after:
            # Busy: refuse this transaction and hang up, as a relay at its limit does.
            asyncio.get_event_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too busy, try again later"
        if self.args.quota_after and self.count >= self.args.quota_after:
            return "550 5.4.5 Daily user sending quota exceeded."
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.temp:
            self.refused(address, 451)
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if address.lower() in self.perm:
            self.refused(address, 550)
            return "550 5.1.1 No such user here"
        if address.lower() in self.policy_rcpt:
            self.refused(address, 554)
            return "554 5.7.1 <%s>: Recipient address rejected: Access denied" % address
        if address.lower() in self.busy_rcpt:
            # Busy for this recipient: refuse and hang up, as a relay limiting one domain does.
            self.refused(address, 421)
            asyncio.get_event_loop().call_soon(server.transport.close)
            return "421 4.7.0 Try again later, closing connection"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.args.drop_after and self.count > self.args.drop_after:
            # Hang up mid-transaction: the message is not accepted.
            session.transport.close() if hasattr(session, "transport") else None
            server.transport.close()
            return "421 4.3.2 Closing connection"
        if self.args.delay:
            await asyncio.sleep(self.args.delay)
        if self.args.submission_quota_after and self.count > self.args.submission_quota_after:
            self.refused(",".join(envelope.rcpt_tos), 554)
            return ("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
                    "Failed to process message due to a permanent exception")
        if any(r.lower() in self.defer_data for r in envelope.rcpt_tos):
            message_id = ""
            for line in envelope.original_content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    message_id = line.split(b":", 1)[1].strip().decode()
            with open(os.path.join(self.args.dir, "deferred.log"), "a") as log:
                log.write("%s %s\n" % (",".join(envelope.rcpt_tos).lower(), message_id))
            self.refused(",".join(envelope.rcpt_tos), 452)
            return "452 4.2.2 Mailbox full, try again later"
        name = "%019d-%06d.eml" % (time.time_ns(), self.count)
        tmp = os.path.join(self.args.dir, "." + name)
        with open(tmp, "wb") as f:
            f.write(("X-RcptTo: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.args.dir, name))
        if self.args.hold_after and self.count == self.args.hold_after:
            # The message is stored (accepted), but the client does not hear so yet: the
            # test is told, and kills the client in exactly that window.
            open(os.path.join(self.args.dir, "held"), "w").close()
            await asyncio.sleep(60)
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--reject-temp", default="")
    p.add_argument("--reject-perm", default="")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--drop-after", type=int, default=0)
    p.add_argument("--hold-after", type=int, default=0, help="store message N, then hold its reply")
    p.add_argument("--auth", default="", help="USER:PASSWORD required to send")
    p.add_argument("--tls-cert", default="")
    p.add_argument("--tls-key", default="")
    p.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (port 465 style), not STARTTLS")
    p.add_argument("--pipelining", action="store_true", help="offer PIPELINING (RFC 2920)")
    p.add_argument("--busy-after", type=int, default=0, help="answer 421 to the Nth MAIL and hang up")
    p.add_argument("--quota-after", type=int, default=0, help="after N messages, refuse every MAIL with 550 5.4.5 (a daily quota)")
    p.add_argument("--busy-rcpt", default="", help="answer 421 to RCPT for these recipients and hang up")
    p.add_argument("--defer-data", default="", help="answer 452 4.2.2 after the content of these recipients' messages")
    p.add_argument("--policy-rcpt", default="", help="answer 554 5.7.1 (access denied) to RCPT for these recipients")
    p.add_argument("--submission-quota-after", type=int, default=0, help="after N messages, answer 554 5.2.0 (a submission quota) after each message's content")
    p.add_argument("--max-connections", type=int, default=0, help="answer 421 to connections beyond N open ones")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    kwargs = {}
    implicit = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.implicit_tls:
            implicit = context
        else:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            with open(os.path.join(args.dir, "auth-attempts.log"), "a") as log:
                encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
                log.write("%s tls=%s\n" % (mechanism, encrypted))
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        # aiosmtpd counts only STARTTLS as TLS; with TLS from the first byte, every
        # connection is encrypted already.
        kwargs["auth_require_tls"] = bool(args.tls_cert) and not args.implicit_tls

    controller = RecordingController(
        Handler(args), args, hostname="127.0.0.1", port=args.port, server_kwargs=kwargs, ready_timeout=10, ssl_context=implicit
    )
    controller.start()
    print("ready %d" % args.port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
