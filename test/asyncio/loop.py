"""Reference orders for test/test_loop.c (CPython 3.11, virtual clock)."""
import asyncio
from vclock import new_loop, sleep_ms


def stop_before_run():
    """stop() before run_forever(): exactly one iteration"""
    loop = new_loop()
    ev = loop.events
    loop.call_soon(lambda: (ev.append('A'), loop.call_soon(lambda: (ev.append('B'), loop.call_soon(ev.append, 'C')))))
    loop.stop()
    loop.run_forever()
    ev.append('|')
    loop.stop()
    loop.run_forever()
    ev.append('|')
    loop.run_until_complete(sleep_ms(0))
    return loop.out()


def stop_inside():
    """stop() from a callback: the rest of that iteration still runs"""
    loop = new_loop()
    ev = loop.events
    loop.call_soon(lambda: (ev.append('A'), loop.stop(), loop.call_soon(ev.append, 'later')))
    loop.call_soon(ev.append, 'B')
    loop.run_forever()
    ev.append('|')
    loop.run_until_complete(sleep_ms(0))
    return loop.out()


def run_until_complete_iteration():
    """f's done-callback stops the loop: what is queued in that iteration
    runs, what it queues does not"""
    loop = new_loop()
    ev = loop.events
    f = loop.create_future()

    def X():
        ev.append('X')
        f.set_result(1)
        loop.call_soon(Y)

    def Y():
        ev.append('Y')
        loop.call_soon(ev.append, 'Z')
    f.add_done_callback(lambda _: ev.append('f-cb'))
    loop.call_soon(X)
    loop.run_until_complete(f)
    ev.append('|')
    loop.run_until_complete(f)
    ev.append('|')
    return loop.out()


def task_result_iteration():
    loop = new_loop()
    ev = loop.events

    async def t():
        ev.append('t')
        loop.call_soon(ev.append, 'after-t')
        return 1
    loop.ticker(5)
    loop.run_until_complete(loop.create_task(t()))
    ev.append('|')
    return loop.out()


for name, fn in list(globals().items()):
    if callable(fn) and getattr(fn, '__module__', None) == '__main__':
        print(f'{name}: {fn()}')
