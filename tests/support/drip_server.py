#!/usr/bin/env python3
"""An SMTP server on 127.0.0.1 that answers one byte every 0.3 s, for policy-diff's tests.

Each read of the client gets a byte well within any timeout, but a reply never ends. Mode
`greeting`: the greeting drips. Mode `data`: a normal session until the end of a message,
then the reply to it drips. Other faults: `silent` accepts the connection and never answers;
`slow` answers each line after 3 s; `cut` closes the connection in the middle of a message's
data. Two modes offer PIPELINING and misbehave in the middle of pipelined commands: `busy`
answers the first connection's MAIL with 421 and hangs up at once (without answering the
RCPT and DATA that came with it), then accepts every message on later connections;
`data-anyway` refuses every RCPT with 550 and still accepts DATA. With a second argument, a
file, each message received whole (ended by its dot) adds a line to that file. Prints
`ready PORT` once it accepts connections.
"""
import socket
import sys
import threading
import time


def drip(conn, text):
    try:
        for b in text:
            conn.sendall(bytes([b]))
            time.sleep(0.3)
    except OSError:
        pass


CONNECTIONS = {"count": 0}


def accepted(log):
    if log:
        with open(log, "a") as f:
            f.write("accepted\n")


def pipelining(conn, mode, log):
    """The PIPELINING modes: a small SMTP server that reads one line at a time."""
    CONNECTIONS["count"] += 1
    first = CONNECTIONS["count"] == 1
    conn.sendall(b"220 pipe.example ESMTP\r\n")
    f = conn.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            return
        command = line.strip().upper()
        if command.startswith(b"EHLO"):
            conn.sendall(b"250-pipe.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        elif command.startswith(b"MAIL") and mode == "busy" and first:
            conn.sendall(b"421 4.7.0 Too busy, try again later\r\n")
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            return
        elif command.startswith(b"RCPT") and mode == "data-anyway":
            conn.sendall(b"550 5.1.1 No such user here\r\n")
        elif command == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            while True:
                content = f.readline()
                if content == b"":
                    return  # the client hung up inside DATA: no message
                if content == b".\r\n":
                    break
            accepted(log)
            conn.sendall(b"250 2.0.0 accepted\r\n")
        elif command == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def handle(conn, mode, log=None):
    if mode in ("busy", "data-anyway"):
        pipelining(conn, mode, log)
        return
    endless = b"220 " + b"x" * 100000 + b"\r\n"
    if mode == "greeting":
        drip(conn, endless)
        return
    if mode == "silent":
        time.sleep(60)
        return
    if mode == "slow":
        time.sleep(3)
    conn.sendall(b"220 drip.example ESMTP\r\n")
    f = conn.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            return
        command = line.strip().upper()
        if command.startswith(b"EHLO"):
            conn.sendall(b"250-drip.example\r\n250 8BITMIME\r\n")
        elif command == b"DATA" and mode == "cut":
            conn.sendall(b"354 go ahead\r\n")
            f.readline()
            conn.close()
            return
        elif command == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            while f.readline() not in (b".\r\n", b""):
                pass
            drip(conn, b"250" + endless[3:])
            return
        elif command == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def main():
    mode = sys.argv[1]
    log = sys.argv[2] if len(sys.argv) > 2 else None
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    print("ready %d" % server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn, mode, log), daemon=True).start()


if __name__ == "__main__":
    main()
