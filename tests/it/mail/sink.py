#!/usr/bin/env python3
"""A local SMTP sink for plauder's mail tests (Debian python3-aiosmtpd).

Listens on 127.0.0.1 on a free port and prints "READY <port>" once it accepts connections.
Every command it sees is appended to DIR/events.log as one line ("EHLO tls=0", "AUTH chat
tls=1", "MAIL tls=1", ...), so a test can show that nothing but EHLO happened in clear; every
accepted message is written to DIR/mail-N.json with its envelope, whether the session was
encrypted, who authenticated, and the raw message.

Modes:
  starttls  offers STARTTLS (test certificate) and requires it before AUTH and MAIL
  plain     offers no STARTTLS at all (a relay that cannot encrypt)
  reject    like starttls, but answers every RCPT with 550 (a relay that refuses)
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--mode", choices=["starttls", "plain", "reject"], default="starttls")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user", default="chat")
    p.add_argument("--password", default="")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    events = open(os.path.join(args.dir, "events.log"), "a", buffering=1)
    count = [0]

    def log(session, what):
        events.write(f"{what} tls={1 if session.ssl else 0}\n")

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if args.mode == "reject":
                return "550 5.1.1 mailbox unavailable here (sink reject mode)"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            count[0] += 1
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": bool(session.ssl),
                "auth": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
                "data": envelope.original_content.decode("utf-8", "replace"),
            }
            path = os.path.join(args.dir, f"mail-{count[0]}.json")
            with open(path + ".tmp", "w") as f:
                json.dump(record, f)
            os.rename(path + ".tmp", path)
            return "250 2.0.0 queued by sink"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        log(session, f"AUTH-{'OK' if ok else 'FAILED'}")
        return AuthResult(success=ok, auth_data=auth_data)

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    class LoggingSMTP(SMTP):
        """Logs every command as it arrives, before aiosmtpd accepts or refuses it."""

        async def smtp_EHLO(self, arg):
            log(self.session, "EHLO")
            return await super().smtp_EHLO(arg)

        async def smtp_HELO(self, arg):
            log(self.session, "HELO")
            return await super().smtp_HELO(arg)

        async def smtp_STARTTLS(self, arg):
            log(self.session, "STARTTLS")
            return await super().smtp_STARTTLS(arg)

        async def smtp_AUTH(self, arg):
            log(self.session, "AUTH")
            return await super().smtp_AUTH(arg)

        async def smtp_MAIL(self, arg):
            log(self.session, "MAIL")
            return await super().smtp_MAIL(arg)

        async def smtp_RCPT(self, arg):
            log(self.session, "RCPT")
            return await super().smtp_RCPT(arg)

        async def smtp_DATA(self, arg):
            log(self.session, "DATA")
            return await super().smtp_DATA(arg)

    def factory():
        return LoggingSMTP(
            Handler(),
            hostname="sink.localhost",
            tls_context=context,
            require_starttls=context is not None,
            # A relay without TLS (plain mode) must see any command plauder would send.
            auth_required=bool(args.password) and context is not None,
            auth_require_tls=True,
            authenticator=authenticator,
            # original_content keeps the message exactly as received (dot-unstuffed).
            decode_data=False,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
