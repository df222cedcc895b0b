#!/usr/bin/env python3
"""A TCP proxy that delays everything the server sends by a fixed time, like a relay that is
some milliseconds away: each chunk the server writes reaches the client `--delay-ms` later
(chunks keep their order and are not serialised behind one another, so a reply to pipelined
commands costs one delay, not one per reply). What the client sends passes at once.

    latency_proxy.py --listen PORT --to HOST:PORT --delay-ms 20

Prints "ready PORT" once listening (PORT 0 lets the system choose; the chosen port is
printed). Loopback only.
"""
import argparse
import asyncio
import sys
import time


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay, data))
    except ConnectionError:
        pass
    queue.put_nowait((time.monotonic() + delay, None))
    try:
        await task
    except ConnectionError:
        pass


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=int, default=0)
    p.add_argument("--to", required=True)
    p.add_argument("--delay-ms", type=float, default=20.0)
    args = p.parse_args()
    host, port = args.to.rsplit(":", 1)
    delay = args.delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        upstream = asyncio.ensure_future(pump(client_reader, server_writer, 0.0))
        await pump(server_reader, client_writer, delay)
        upstream.cancel()

    server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
