"""Reference orders for test/test_gather.c (CPython 3.11, virtual clock).
Each scenario runs on a fresh VirtualLoop, so times start at 0."""
import asyncio
from vclock import new_loop, sleep_ms


async def child(loop, name, ms, exc=None, swallow=False):
    loop.log(name + '-start')
    try:
        await sleep_ms(ms)
    except asyncio.CancelledError:
        loop.log(name + '-cancelled')
        if swallow:
            return 42
        raise
    if exc:
        loop.log(name + '-raise')
        raise exc
    loop.log(name + '-end')
    return name


def done_children_run_until_complete():
    loop = new_loop()
    f1 = loop.create_future(); f1.set_result(1)
    f2 = loop.create_future(); f2.set_result(2)
    loop.ticker(4)
    g = asyncio.gather(f1, f2)
    g.add_done_callback(lambda _: loop.events.append('g-done'))
    loop.run_until_complete(g)
    return loop.out()


def done_children_awaited():
    loop = new_loop()
    f1 = loop.create_future(); f1.set_result(1)
    f2 = loop.create_future(); f2.set_result(2)

    async def main():
        loop.events.append('m-start')
        await asyncio.gather(f1, f2)
        loop.events.append('m-end')
    loop.ticker(6)
    loop.run_until_complete(loop.create_task(main()))
    return loop.out()


def first_error():
    loop = new_loop()

    async def main():
        a = loop.create_task(child(loop, 'a', 10, ValueError('boom')))
        b = loop.create_task(child(loop, 'b', 30))
        try:
            await asyncio.gather(a, b)
        except ValueError:
            loop.log('gather-failed')
        await b
        loop.log('b-awaited')
    loop.run_until_complete(main())
    return loop.out()


def cancel_gather():
    loop = new_loop()
    a = loop.create_task(child(loop, 'a', 100))
    fut = loop.create_future()
    d = loop.create_future(); d.set_result(1)
    g = asyncio.gather(a, fut, d)
    loop.run_until_complete(sleep_ms(10))
    r = g.cancel('stop')
    loop.log(f'cancel->{r} fut.cancelled={fut.cancelled()}')
    try:
        loop.run_until_complete(g)
    except asyncio.CancelledError as e:
        loop.log(f'g-cancelled msg={e.args}')
    return loop.out() + f' | g.cancelled()={g.cancelled()} a={a.cancelled()} d={d.cancelled()}'


def cancel_gather_child_swallows():
    loop = new_loop()
    a = loop.create_task(child(loop, 'a', 100, swallow=True))
    g = asyncio.gather(a)
    loop.run_until_complete(sleep_ms(10))
    loop.log(f'cancel->{g.cancel("m")}')
    try:
        loop.run_until_complete(g)
    except asyncio.CancelledError as e:
        loop.log(f'g-cancelled msg={e.args}')
    return loop.out() + f' | a.result()={a.result()}'


def cancel_gather_children_done():
    loop = new_loop()
    f1 = loop.create_future(); f1.set_result(1)
    g = asyncio.gather(f1)
    r = g.cancel()
    loop.run_until_complete(g)
    return f'cancel->{r} result={g.result()} cancelled={g.cancelled()}'


def child_cancelled():
    loop = new_loop()
    a = loop.create_task(child(loop, 'a', 100))
    b = loop.create_task(child(loop, 'b', 30))
    g = asyncio.gather(a, b)
    loop.run_until_complete(sleep_ms(10))
    a.cancel('kid')
    try:
        loop.run_until_complete(g)
    except asyncio.CancelledError as e:
        loop.log(f'g-failed msg={e.args} cancelled={g.cancelled()}')
    loop.run_until_complete(b)
    return loop.out()


def n_zero():
    loop = new_loop()

    async def main():
        loop.events.append('m1')
        await asyncio.gather()
        loop.events.append('m2')
    loop.ticker(3)
    loop.run_until_complete(main())
    return loop.out()


def duplicate_cancel():
    loop = new_loop()
    a = loop.create_task(child(loop, 'a', 100))
    g = asyncio.gather(a, a)
    loop.run_until_complete(sleep_ms(10))
    g.cancel()
    n = a.cancelling()
    try:
        loop.run_until_complete(g)
    except asyncio.CancelledError:
        pass
    return f'a.cancelling()={n}'


def cancel_return_exceptions():
    loop = new_loop()
    a = loop.create_task(child(loop, 'a', 100))
    b = loop.create_task(child(loop, 'b', 5))
    g = asyncio.gather(a, b, return_exceptions=True)
    loop.run_until_complete(sleep_ms(10))
    loop.log(f'cancel->{g.cancel("rx")}')
    try:
        loop.run_until_complete(g)
        loop.log('g-result')
    except asyncio.CancelledError as e:
        loop.log(f'g-cancelled msg={e.args}')
    return loop.out() + f' | a={a.cancelled()} b={b.result()}'


for name, fn in list(globals().items()):
    if callable(fn) and getattr(fn, '__module__', None) == '__main__' and name not in ('child',):
        print(f'{name}: {fn()}')
