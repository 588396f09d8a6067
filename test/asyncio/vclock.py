"""vclock.py - CPython 3.11 asyncio on a virtual clock, to derive the event
orders that coro's C tests hard-code.

VirtualLoop is a real SelectorEventLoop (so _run_once, timers, callbacks and
fds are CPython's own) whose time() starts at 0 and moves only when the loop
would wait: select(timeout) advances the clock by `timeout` (it jumps straight
to the next timer) and polls fds with a zero timeout, as
coro_loop_new_virtual does.  A select that would block forever with no user
fd raises Deadlock (coro's CORO_EDEADLK).

log(name) records "name@ms" (virtual milliseconds); tick() is a callback that
re-arms itself with call_soon and logs "tN", so iterations can be counted the
same way in C.  Run a scenario script with python3 (3.11) and copy its output
into the C test's comment.
"""
import asyncio

assert __import__('sys').version_info[:2] == (3, 11), 'the reference is CPython 3.11'


class Deadlock(Exception):
    pass


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__()
        self._vt = 0.0
        self.iteration = 0
        self.events = []
        real = self._selector.select

        def select(timeout=None):
            if timeout is None:
                user = [k for k in self._selector.get_map().values()
                        if k.fd != self._ssock.fileno()]
                if not user:
                    raise Deadlock()
                return real(None)
            self._vt += timeout
            return real(0)
        self._selector.select = select

    def time(self):
        return self._vt

    def _run_once(self):
        self.iteration += 1
        super()._run_once()

    def ms(self):
        return round(self._vt * 1000)

    def log(self, name):
        self.events.append(f'{name}@{self.ms()}')

    def logi(self, name):
        """log with the iteration number instead of the time"""
        self.events.append(f'{name}#{self.iteration}')

    def out(self):
        s = ' '.join(self.events)
        del self.events[:]
        return s

    def ticker(self, n, prefix='t'):
        """log prefixN in each of the next n iterations"""
        count = [0]

        def tick():
            count[0] += 1
            self.events.append(f'{prefix}{count[0]}')
            if count[0] < n:
                self.call_soon(tick)
        self.call_soon(tick)


def new_loop():
    loop = VirtualLoop()
    asyncio.set_event_loop(loop)
    return loop


def sleep_ms(ms):
    return asyncio.sleep(ms / 1000)
