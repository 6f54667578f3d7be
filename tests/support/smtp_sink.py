#!/usr/bin/python3
"""SMTP sink for the e2e tests: accepts every message on 127.0.0.1:PORT and
stores it in the Maildir given as the first argument. Prints READY once it
listens; stops on SIGTERM or SIGINT. Run with /usr/bin/python3 (aiosmtpd)."""
import mailbox
import signal
import sys

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path):
        self.box = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, server, session, envelope):
        msg = mailbox.MaildirMessage(envelope.original_content)
        # Keep the envelope too: tests check who the message went to.
        msg['X-Sink-Mail-From'] = envelope.mail_from or ''
        msg['X-Sink-Rcpt-To'] = ', '.join(envelope.rcpt_tos)
        self.box.add(msg)
        return '250 OK'


def main():
    if len(sys.argv) != 3:
        print('usage: smtp_sink.py MAILDIR PORT', file=sys.stderr)
        return 2
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    ctl = Controller(MaildirHandler(sys.argv[1]), hostname='127.0.0.1', port=int(sys.argv[2]))
    ctl.start()
    print('READY', flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
