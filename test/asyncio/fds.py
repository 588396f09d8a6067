"""Reference orders for test/test_io.c (CPython 3.11, virtual clock, real
socketpairs).  fd readiness is outside coro's iteration-equivalence rule;
these show the asyncio behaviour the C tests follow."""
import asyncio
import socket
from vclock import new_loop, sleep_ms


def reader_writer_persist():
    """level-triggered and persistent until removed; the reader reads one
    byte per call, except the first call, which reads nothing"""
    loop = new_loop()
    a, b = socket.socketpair()
    a.setblocking(False); b.setblocking(False)
    done = loop.create_future()
    n = {'r': 0, 'w': 0}

    def wcb():
        n['w'] += 1
        loop.events.append(f'w{n["w"]}')
        if n['w'] == 3:
            loop.events.append(f'remove_writer={loop.remove_writer(a)}')

    def rcb():
        n['r'] += 1
        loop.events.append(f'r{n["r"]}')
        if n['r'] >= 2:
            a.recv(1)
        if n['r'] == 4:
            loop.events.append(f'remove_reader={loop.remove_reader(a)}')
            done.set_result(None)
    loop.add_writer(a, wcb)
    loop.add_reader(a, rcb)
    b.send(b'xyz')
    loop.run_until_complete(done)
    return loop.out() + f' | again={loop.remove_reader(a)} @{loop.ms()}'


def ping_pong():
    loop = new_loop()
    a, b = socket.socketpair()
    a.setblocking(False); b.setblocking(False)

    async def pinger():
        for i in range(3):
            await loop.sock_sendall(a, f'ping{i}'.encode())
            loop.log(f'sent-ping{i}')
            data = await loop.sock_recv(a, 16)
            loop.log('got-' + data.decode())

    async def ponger():
        for i in range(3):
            data = await loop.sock_recv(b, 16)
            loop.log('got-' + data.decode())
            await loop.sock_sendall(b, f'pong{i}'.encode())
    loop.run_until_complete(asyncio.gather(loop.create_task(pinger()),
                                           loop.create_task(ponger())))
    return loop.out()


def removed_while_queued():
    """the reader (which runs first: same fd, read before write) removes the
    writer, already queued for this iteration, and adds another one"""
    loop = new_loop()
    a, b = socket.socketpair()
    a.setblocking(False); b.setblocking(False)
    done = loop.create_future()

    def rcb():
        loop.events.append('reader')
        a.recv(1)
        loop.remove_reader(a)
        loop.events.append(f'remove_writer={loop.remove_writer(a)}')
        loop.add_writer(a, w2)

    def w2():
        loop.events.append('w2')
        loop.remove_writer(a)
        done.set_result(None)
    loop.add_reader(a, rcb)
    loop.add_writer(a, lambda: loop.events.append('w1'))
    b.send(b'x')
    loop.run_until_complete(done)
    return loop.out()


for name, fn in list(globals().items()):
    if callable(fn) and getattr(fn, '__module__', None) == '__main__':
        print(f'{name}: {fn()}')
