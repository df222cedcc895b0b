#!/usr/bin/env python3
"""An SMTP server on 127.0.0.1 that answers one byte every 0.3 s, for policy-diff's tests.

Each read of the client gets a byte well within any timeout, but a reply never ends. Mode
`greeting`: the greeting drips. Mode `data`: a normal session until the end of a message,
then the reply to it drips. Other faults: `silent` accepts the connection and never answers;
`slow` answers each line after 3 s; `cut` closes the connection in the middle of a message's
data. Prints `ready PORT` once it accepts connections.
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


def handle(conn, mode):
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
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    print("ready %d" % server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
