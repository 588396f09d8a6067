"""Reference orders for test/test_timers.c (CPython 3.11, virtual clock)."""
import asyncio
from vclock import new_loop, sleep_ms


def order_and_times():
    loop = new_loop()
    loop.call_later(0.030, loop.log, 'c')
    loop.call_later(0.010, loop.log, 'a')
    loop.call_at(0.020, loop.log, 'b')
    loop.call_soon(loop.log, 's')
    loop.call_later(0.040, loop.stop)
    loop.run_forever()
    return loop.out()


def equal_deadlines():
    loop = new_loop()
    loop.call_later(0.010, loop.log, 'x')
    loop.call_at(0.010, loop.log, 'y')
    loop.call_later(0.010, loop.log, 'z')
    loop.call_later(0.005, lambda: loop.call_later(0.005, loop.log, 'w'))
    loop.call_later(0.020, loop.stop)
    loop.run_forever()
    return loop.out()


def soon_before_due_timer():
    """a timer already due when the iteration starts still runs after the
    callbacks that were queued, whatever the order they were scheduled in"""
    loop = new_loop()
    loop.call_later(0, loop.log, 'p0')
    loop.call_at(loop.time() - 0.005, loop.log, 'p-5')
    loop.call_soon(loop.log, 's')
    loop.call_soon(loop.stop)
    loop.run_forever()
    return loop.out()


def rearm():
    loop = new_loop()
    n = {'A': 0, 'B': 0}

    def A():
        n['A'] += 1
        loop.events.append(f'A{n["A"]}')
        if n['A'] == 2:
            loop.call_soon(loop.events.append, 'C')
        if n['A'] < 4:
            loop.call_soon(A)

    def B():
        n['B'] += 1
        loop.events.append(f'B{n["B"]}')
        if n['B'] < 4:
            loop.call_later(0, B)
    loop.call_soon(A)
    loop.call_later(0, B)
    loop.call_later(0.010, loop.log, 'T')
    loop.call_later(0.020, loop.stop)
    loop.run_forever()
    return loop.out()


def yield_lets_queued_run():
    loop = new_loop()

    async def t():
        loop.events.append('t1')
        loop.call_soon(loop.events.append, 'c2')
        await asyncio.sleep(0)
        loop.events.append('t2')
    task = loop.create_task(t())
    loop.call_soon(loop.events.append, 'c1')
    loop.run_until_complete(task)
    return loop.out()


def sleep_resumes_after_timer():
    loop = new_loop()

    async def t():
        loop.log('T-sleep')
        await sleep_ms(10)
        loop.log('T')

    def X():
        loop.log('X')
        loop.call_soon(loop.log, 'Y')
    task = loop.create_task(t())
    loop.call_soon(lambda: loop.call_later(0.010, X))     # started after the sleep
    loop.run_until_complete(task)
    loop.run_until_complete(sleep_ms(0))
    return loop.out()


def wrap_scenario():
    loop = new_loop()

    async def s(name, ms, n):
        for i in range(n):
            await sleep_ms(ms)
            loop.log(f'{name}{i}')
    a = loop.create_task(s('a', 3000, 5))
    b = loop.create_task(s('b', 4999, 3))
    loop.call_later(10.0, loop.log, 'wrap')
    loop.call_at(10.0, loop.log, 'wrap-at')
    loop.call_later(9.999, loop.log, 'before')
    loop.call_later(10.001, loop.log, 'after')
    loop.run_until_complete(asyncio.gather(a, b))
    return loop.out()


for name, fn in list(globals().items()):
    if callable(fn) and getattr(fn, '__module__', None) == '__main__':
        print(f'{name}: {fn()}')
