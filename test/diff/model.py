"""model.py - random programs as data, and their reference run on asyncio.

A program is a number of plain futures and a list of task bodies.  Task 0 is
the main task; task j > 0 runs only if some body executes `spawn tj`.  Text
form (one task per line, ops separated by ';'):

    futures 2
    t0: spawn t1; sleep 5; await t1 !c; gather re t1 f0; return 3
    t1: yield; set f0 7; wait_for f1 5 !a

Ops (X is a task tJ or a future fK; a trailing !c catches cancellation,
!a catches every error; without it an error propagates and ends the task):

    sleep N          await asyncio.sleep(N)        (N > 0 ms; N = 0 is yield)
    yield            await asyncio.sleep(0)
    await X          await X
    set fK V         fK.set_result(V)              logs ok / invalid
    fail fK E        fK.set_exception(E)           E in 1..9
    cancel X [mN]    X.cancel(msg)                 logs 1 / 0
    spawn tJ         create_task(body J)
    gather [re] X... await gather(X..., return_exceptions=re)
    wait M T X...    await wait({X...}, T, M)      M first|exc|all, T ms or inf
    wait_for X T     await coro_wait_for(X, T)     T ms or inf (see below)
    shield X         await shield(X)
    raise E [mN]     raise E (E = c raises CancelledError(mN))
    return V         return V
    cancelling X     log X.cancelling()
    uncancel         log current_task().uncancel()

The await graph is acyclic: a body only awaits (directly or through a
combinator) tasks with a higher index.  A task or future that is not there
yet (never spawned) is skipped and logged as such.

The reference runs on a virtual-time asyncio loop: the loop's time unit is
one millisecond, time moves only when the loop would wait, timers with equal
deadlines fire in start order, and a wait with nothing that could ever wake
the loop is a deadlock.  Each program runs in three phases:
    1. run_until_complete(t0)
    2. run_forever until idle (deadlock)
    3. cancel every unfinished task, in index order; run until idle
and the trace ends with each task's and future's final state.

coro's wait_for is a task, so the reference models it as 3.11's
ensure_future(wait_for(...)) with the differences DESIGN.md lists (see
wf_body below and docs/testing.md).
"""
import asyncio
import asyncio.futures
import asyncio.tasks
import collections.abc
import heapq
import random
import re

FUT = 'f'
TASK = 't'
AWAITING = ('sleep', 'yield', 'await', 'gather', 'wait', 'wait_for', 'shield', 'call')
INF = None

# ------------------------------------------------------------------ programs


class Prog:
    def __init__(self, nfut=0, tasks=None):
        self.nfut = nfut
        self.tasks = tasks if tasks is not None else [[]]

    def copy(self):
        return Prog(self.nfut, [[list(op) for op in body] for body in self.tasks])

    def text(self):
        lines = ['futures %d' % self.nfut]
        for i, body in enumerate(self.tasks):
            lines.append('t%d: %s' % (i, '; '.join(op_text(op) for op in body)))
        return '\n'.join(lines) + '\n'

    def size(self):
        return sum(1 + len(op) for body in self.tasks for op in body) + len(self.tasks) + self.nfut


def op_text(op):
    return ' '.join(str(a) for a in op if a != '')


def parse(text):
    p = Prog(0, [])
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        if line.startswith('futures'):
            p.nfut = int(line.split()[1])
            continue
        m = re.match(r't(\d+):(.*)$', line)
        if not m:
            raise ValueError('bad line: %r' % line)
        idx = int(m.group(1))
        if idx != len(p.tasks):
            raise ValueError('tasks must be numbered in order: %r' % line)
        body = []
        for part in m.group(2).split(';'):
            toks = part.split()
            if toks:
                body.append(toks)
        p.tasks.append(body)
    if not p.tasks:
        p.tasks.append([])
    return p


def parse_many(text):
    """Programs separated by lines '--- NAME'."""
    progs, name, cur = [], None, []
    for line in text.splitlines():
        if line.startswith('--- '):
            if name is not None:
                progs.append((name, parse('\n'.join(cur))))
            name, cur = line[4:].strip(), []
        else:
            cur.append(line)
    if name is not None:
        progs.append((name, parse('\n'.join(cur))))
    return progs


def catch_of(op):
    return op[-1] if op and op[-1] in ('!c', '!a') else ''


def args_of(op):
    return op[1:-1] if catch_of(op) else op[1:]

# ----------------------------------------------------------------- generator


def generate(rng, max_tasks=6, max_ops=7):
    if rng.random() < 0.15:             # now and then a bigger one
        max_tasks, max_ops = 10, 12
    ntasks = rng.randint(1, max_tasks)
    nfut = rng.randint(0, 3)
    tasks = [[] for _ in range(ntasks)]

    def ref_any(i, tasks_only=False):
        """A task above i (acyclic awaits) or a future."""
        choices = ['t%d' % j for j in range(i + 1, ntasks)]
        if not tasks_only:
            choices += ['f%d' % k for k in range(nfut)]
        return rng.choice(choices) if choices else None

    def catch():
        return rng.choice(['', '', '', '!c', '!c', '!a'])

    def delay():
        return rng.choice([1, 1, 2, 2, 3, 5, 10])

    def timeout():
        return rng.choice(['0', '1', '2', '3', '5', '10', 'inf'])

    def ops(i, n, in_finally=False):
        body = []
        for _ in range(n):
            r = rng.random()
            x = ref_any(i)
            if r < 0.13:
                body.append(['sleep', str(delay()), catch()])
            elif r < 0.20:
                body.append(['yield', catch()])
            elif r < 0.32 and x:
                body.append(['await', x, catch()])
            elif r < 0.41 and nfut:
                k = rng.randrange(nfut)
                if rng.random() < 0.75:
                    body.append(['set', 'f%d' % k, str(rng.randint(0, 9))])
                else:
                    body.append(['fail', 'f%d' % k, str(rng.randint(1, 3))])
            elif r < 0.48:
                targets = ['t%d' % j for j in range(ntasks)] + ['f%d' % k for k in range(nfut)]
                msg = ['m%d' % rng.randint(0, 4)] if rng.random() < 0.7 else []
                body.append(['cancel', rng.choice(targets)] + msg)
            elif r < 0.56 and x:
                kids = [ref_any(i) for _ in range(rng.randint(1, 3))]
                body.append(['gather'] + (['re'] if rng.random() < 0.4 else []) + kids + [catch()])
            elif r < 0.61 and x:
                kids = [ref_any(i) for _ in range(rng.randint(1, 3))]
                mode = rng.choice(['first', 'exc', 'all'])
                body.append(['wait', mode, rng.choice(['0', '1', '2', '5', 'inf'])] + kids + [catch()])
            elif r < 0.69 and x:
                body.append(['wait_for', x, timeout(), catch()])
            elif r < 0.72 and x:
                body.append(['shield', x, catch()])
            elif r < 0.75 and i + 1 < ntasks:
                body.append(['call', 't%d' % rng.randrange(i + 1, ntasks), catch()])
            elif r < 0.80 and nfut:
                k, v = rng.randrange(nfut), str(rng.randint(0, 9))
                q = rng.random()
                if q < 0.3:
                    body.append(['soon', 'f%d' % k, v])
                elif q < 0.7:
                    body.append(['later', str(delay()), 'f%d' % k, v])
                elif x:
                    body.append(['ondone', x, 'f%d' % k, v])
            elif r < 0.82:
                body.append(['unlater'])
            elif r < 0.85:
                body.append(['cancelling', 't%d' % rng.randrange(ntasks)])
            elif r < 0.87:
                body.append(['uncancel'])
            elif r < 0.93:
                e = rng.choice(['1', '2', '3', 'c'])
                body.append(['raise', e] + (['m%d' % rng.randint(5, 6)] if e == 'c' and rng.random() < 0.5 else []))
            elif r < 0.97 or in_finally:
                body.append(['return', str(rng.randint(0, 9))])
        for op in body:
            if op and op[-1] == '':
                op.pop()
        return body

    for i in range(ntasks):
        tasks[i] = ops(i, rng.randint(0, max_ops))
        if rng.random() < 0.25:
            tasks[i] += [['finally']] + ops(i, rng.randint(0, 3), True)
    # A spawn tree: each task j > 0 is spawned by one task below it (in its
    # body, not its finally).
    for j in range(1, ntasks):
        p = rng.randrange(j)
        body, _ = split_finally(tasks[p])
        at = min(rng.randint(0, len(body)), rng.randint(0, len(body)))     # early, mostly
        tasks[p].insert(at, ['spawn', 't%d' % j])
    return Prog(nfut, tasks)

# ------------------------------------------- DESIGN.md's message rules
#
# The reference runs asyncio's own pure-Python Future and Task (the C ones
# cannot be patched), with coro's documented message rules on top:
#   - every retriever of a cancelled future sees its message (3.11 hands the
#     original CancelledError to the first retriever only);
#   - a second cancel while the first is still pending keeps the first
#     message (3.11 keeps the last);
#   - a gather cancelled with a message ends with that message;
#   - a shield whose inner was cancelled keeps the inner's message;
#   - wait_for passes its cancel's message on to fut (wf_body).


def msg_of(exc):
    m = exc.args[0] if exc.args else None
    return m if m else None


class _Messages:
    def _make_cancelled_error(self):
        if self._cancelled_exc is not None:
            return self._cancelled_exc          # not consumed: every retriever sees it
        if self._cancel_message is None:
            return asyncio.CancelledError()
        return asyncio.CancelledError(self._cancel_message)


class ModelFuture(_Messages, asyncio.futures._PyFuture):
    pass


class ModelTask(_Messages, asyncio.tasks._PyTask):
    def cancel(self, msg=None):
        if not self.done() and self._must_cancel:
            msg = self._cancel_message          # the first pending message stays
        return super().cancel(msg=msg)


class ModelGathering(_Messages, asyncio.futures._PyFuture):
    """3.11's _GatheringFuture on the model's futures; cancelled with a
    message, it ends with that message."""

    def __init__(self, children, *, loop):
        super().__init__(loop=loop)
        self._children = children
        self._cancel_requested = False
        self._gather_msg = None

    def cancel(self, msg=None):
        if self.done():
            return False
        ret = False
        for child in self._children:            # every listed child, as 3.11
            if child.cancel(msg=msg):
                ret = True
        if ret:
            if not self._cancel_requested:
                self._gather_msg = msg
            self._cancel_requested = True
        return ret

    def set_exception(self, exception):
        if self._cancel_requested and isinstance(exception, asyncio.CancelledError):
            exception = asyncio.CancelledError(*(() if self._gather_msg is None else (self._gather_msg,)))
        super().set_exception(exception)


asyncio.tasks._GatheringFuture = ModelGathering     # gather() looks it up when called


def model_shield(inner):
    """3.11's shield; a cancelled inner cancels the outer with its message."""
    if inner.done():
        return inner
    outer = inner.get_loop().create_future()

    def inner_done(inner):
        if outer.cancelled():
            if not inner.cancelled():
                inner.exception()
            return
        if inner.cancelled():
            outer.cancel(msg=msg_of(inner._make_cancelled_error()))
        elif inner.exception() is not None:
            outer.set_exception(inner.exception())
        else:
            outer.set_result(inner.result())

    def outer_done(outer):
        if not inner.done():
            inner.remove_done_callback(inner_done)

    inner.add_done_callback(inner_done)
    outer.add_done_callback(outer_done)
    return outer

# ---------------------------------------------------------- virtual loop


class Deadlock(BaseException):
    """The loop would wait forever: nothing is ready and no timer is left."""


class _SeqTimer(asyncio.TimerHandle):
    """A timer handle that breaks deadline ties by start order (asyncio's
    own heap leaves them unordered)."""
    __slots__ = ('_seq',)

    def __init__(self, when, callback, args, loop, seq):
        super().__init__(when, callback, args, loop)
        self._seq = seq

    def __lt__(self, other):
        return (self._when, self._seq) < (other._when, other._seq)

    def __le__(self, other):
        return (self._when, self._seq) <= (other._when, other._seq)

    def __gt__(self, other):
        return (self._when, self._seq) > (other._when, other._seq)

    def __ge__(self, other):
        return (self._when, self._seq) >= (other._when, other._seq)


class _Selector:
    def __init__(self, loop):
        self.loop = loop

    def select(self, timeout):
        if timeout is None:
            raise Deadlock()
        if not (timeout == 0 and self.loop.dead_iteration()):
            self.loop.iters += 1
        self.loop.vtime += timeout      # time jumps to the next timer
        return []

    def close(self):
        pass


def _closure(fn, name):
    code = getattr(fn, '__code__', None)
    if code is None or fn.__closure__ is None or name not in code.co_freevars:
        return None
    return fn.__closure__[code.co_freevars.index(name)].cell_contents


def _dead(handle):
    fn = handle._callback
    qual = getattr(fn, '__qualname__', '')
    if handle._cancelled:
        return True
    if qual == '_wait.<locals>._on_completion':
        return _closure(fn, 'waiter').done()
    return False


class VirtualLoop(asyncio.BaseEventLoop):
    """asyncio's own _run_once on a virtual millisecond clock."""

    def __init__(self):
        super().__init__()
        self._clock_resolution = 1      # due when deadline <= now (integer ms)
        self._selector = _Selector(self)
        self.vtime = 0
        self.iters = 0
        self._seq = 0
        self.set_exception_handler(lambda loop, ctx: None)
        self.set_task_factory(lambda loop, coro, **kw: ModelTask(coro, loop=loop, **kw))

    def time(self):
        return self.vtime

    def create_future(self):
        return ModelFuture(loop=self)

    def dead_iteration(self):
        """True if this iteration will run nothing but callbacks that coro
        has already unlinked: 3.11's wait removes its _on_completion from the
        children only when the waiting task resumes, coro when the wait is
        released (docs/testing.md).  Such an iteration is invisible to every
        task, so it is not counted."""
        if not self._ready or any(h._when <= self.vtime for h in self._scheduled
                                  if not h._cancelled):
            return False
        return all(_dead(h) for h in self._ready)

    def call_at(self, when, callback, *args, context=None):
        self._check_closed()
        self._seq += 1
        timer = _SeqTimer(when, callback, args, self, self._seq)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass

# ------------------------------------------------------------- wait_for


class _WFState:
    def __init__(self, fut, timeout):
        self.fut = fut
        self.timeout = timeout
        self.was_done = fut.done()
        self.cancel_sent = False
        self.first_cancel = None


class _WFCoro(collections.abc.Coroutine):
    """Wraps wf_body so that a cancel thrown in before the first step is
    seen by the body (3.11 would end an unstarted coroutine at once)."""

    def __init__(self, st):
        self.st = st
        self.gen = wf_body(st)
        self.started = False

    def send(self, value):
        self.started = True
        return self.gen.send(value)

    def throw(self, typ, val=None, tb=None):
        exc = typ if val is None else val
        if not self.started:
            self.started = True
            if isinstance(exc, asyncio.CancelledError):
                self.st.first_cancel = exc
                return self.gen.send(None)
        if val is None and tb is None:
            return self.gen.throw(typ)
        return self.gen.throw(typ, val, tb)

    def close(self):
        self.gen.close()

    def __await__(self):
        return self.gen.__await__()


def _release(waiter, *args):
    if not waiter.done():
        waiter.set_result(None)


async def _cancel_and_wait(fut, cancel=True, msg=None):
    """3.11's _cancel_and_wait; cancel=False when coro already cancelled fut
    inside the coro_wait_for call (timeout 0); msg: the message of the
    wait_for's own cancel, which DESIGN.md has travel to fut."""
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    cb = lambda f: _release(waiter)
    fut.add_done_callback(cb)
    try:
        if cancel:
            fut.cancel(msg=msg)
        await waiter
    finally:
        fut.remove_done_callback(cb)


async def wf_body(st):
    """3.11's wait_for(fut, timeout) as a task, with DESIGN.md's rules:
    - a cancel before the first step still cancels fut and waits for it;
    - timeout 0 cancelled fut inside the call (unless it was done then);
    - a cancel of the wait_for is never lost, even if fut is done (gh-86296).
    """
    loop = asyncio.get_running_loop()
    fut = st.fut
    if st.first_cancel is not None:
        if not fut.done():
            await _cancel_and_wait(fut, cancel=not st.cancel_sent, msg=msg_of(st.first_cancel))
        raise st.first_cancel
    if st.timeout == 0:
        if st.was_done:
            return fut.result()
        await _cancel_and_wait(fut, cancel=False)
        try:
            return fut.result()
        except asyncio.CancelledError as exc:
            raise TimeoutError() from exc
    waiter = loop.create_future()
    handle = loop.call_later(st.timeout, _release, waiter)
    cb = lambda f: _release(waiter)
    fut.add_done_callback(cb)
    try:
        try:
            await waiter
        except asyncio.CancelledError as exc:
            if fut.done():
                raise                   # 3.11 returns fut.result() here (gh-86296)
            fut.remove_done_callback(cb)
            await _cancel_and_wait(fut, msg=msg_of(exc))
            raise
        if fut.done():
            return fut.result()
        fut.remove_done_callback(cb)
        await _cancel_and_wait(fut)
        try:
            return fut.result()
        except asyncio.CancelledError as exc:
            raise TimeoutError() from exc
    finally:
        handle.cancel()


def coro_wait_for(fut, timeout):
    """The model of coro_wait_for: fut itself for no timeout, else a task."""
    if timeout is INF:
        return fut
    st = _WFState(fut, timeout)
    task = asyncio.get_running_loop().create_task(_WFCoro(st))
    if timeout == 0 and not st.was_done:
        fut.cancel()                    # at once, inside the call
        st.cancel_sent = True
    return task

# ------------------------------------------------------------ reference


class UserError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def outcome_exc(e):
    if isinstance(e, asyncio.CancelledError):
        m = msg_of(e)
        return 'cancelled' + (':' + m if m else '')
    if isinstance(e, TimeoutError):
        return 'timeout'
    if isinstance(e, UserError):
        return 'err %d' % e.code
    return 'other %s' % type(e).__name__


def outcome(f):
    if f is None:
        return 'none'
    if not f.done():
        return 'pending'
    if f.cancelled():
        return outcome_exc(f._make_cancelled_error())
    e = f.exception()
    if e is not None:
        return outcome_exc(e)
    r = f.result()
    return 'ok %d' % (r if isinstance(r, int) else 0)


def catches(c, e):
    if c == '!a':
        return True
    return c == '!c' and isinstance(e, asyncio.CancelledError)


def timeout_arg(s):
    return INF if s == 'inf' else int(s)


def split_finally(ops):
    """(body ops, finally ops or None)."""
    for n, op in enumerate(ops):
        if op[0] == 'finally':
            return ops[:n], ops[n + 1:]
    return ops, None


class Callback:
    """A loop callback (call_soon / call_later / done-callback) that sets a
    future and logs it."""

    def __init__(self, run, kind, k, v):
        self.run, self.kind, self.k, self.v = run, kind, k, v
        self.ran = False

    def __call__(self, *args):
        self.ran = True
        f = self.run.futs[self.k]
        try:
            f.set_result(self.v)
            res = 'ok'
        except asyncio.InvalidStateError:
            res = 'invalid'
        self.run.log('cb', '%s f%d %d -> %s' % (self.kind, self.k, self.v, res))


class Run:
    def __init__(self, prog):
        self.prog = prog
        self.out = []
        self.loop = VirtualLoop()
        self.futs = [self.loop.create_future() for _ in range(prog.nfut)]
        self.tasks = [None] * len(prog.tasks)
        self.handles = {}               # task index -> (handle, Callback) of its last `later`
        self.open = True

    def log(self, i, text):
        if self.open:
            who = i if isinstance(i, str) else 't%d' % i
            self.out.append('%d %d %s %s' % (self.loop.iters, self.loop.vtime, who, text))

    def ref(self, s):
        n = int(s[1:])
        if s[0] == FUT:
            return self.futs[n] if n < len(self.futs) else None
        return self.tasks[n] if n < len(self.tasks) else None

    def refs(self, names):
        return [(s, self.ref(s)) for s in names if self.ref(s) is not None]

    def kids(self, pairs):
        return ' |' + ''.join(' %s=%s' % (s, outcome(f)) for s, f in pairs)

    async def body(self, i):
        """Body i as a task (or called inline): start, its ops, its finally."""
        self.log(i, 'start')
        ops, fin = split_finally(self.prog.tasks[i])
        try:
            r = await self.exec(i, ops)
            if r is None:
                self.log(i, 'end')
                r = 0
        except GeneratorExit:
            raise
        except (asyncio.CancelledError, Exception) as e:
            if fin is None or not self.open:
                raise
            self.log(i, 'finally')
            r2 = await self.exec(i, fin)
            if r2 is not None:
                return r2               # a return in finally replaces the error
            raise e
        if fin is not None and self.open:
            self.log(i, 'finally')
            r2 = await self.exec(i, fin)
            if r2 is not None:
                return r2
        return r

    async def exec(self, i, ops):
        """Run ops; the value of a `return` op, or None at the end."""
        for op in ops:
            k, args, c = op[0], args_of(op), catch_of(op)
            text = op_text([a for a in op if a not in ('!c', '!a')])
            if k in AWAITING:
                aw, pairs = None, None
                if k == 'sleep':
                    aw = asyncio.sleep(int(args[0]))
                elif k == 'yield':
                    aw = asyncio.sleep(0)
                elif k == 'call':
                    aw = self.body(int(args[0][1:]))
                elif k in ('await', 'wait_for', 'shield'):
                    f = self.ref(args[0])
                    if f is None:
                        self.log(i, text + ' -> none')
                        continue
                    if k == 'await':
                        aw = f
                    elif k == 'shield':
                        aw = model_shield(f)
                    else:
                        aw = coro_wait_for(f, timeout_arg(args[1]))
                elif k == 'gather':
                    re_ = args[:1] == ['re']
                    pairs = self.refs(args[1:] if re_ else args)
                    aw = asyncio.gather(*[f for _, f in pairs], return_exceptions=re_)
                elif k == 'wait':
                    mode = {'first': asyncio.FIRST_COMPLETED, 'exc': asyncio.FIRST_EXCEPTION,
                            'all': asyncio.ALL_COMPLETED}[args[0]]
                    pairs = self.refs(args[2:])
                    if not pairs:
                        self.log(i, text + ' -> empty')
                        continue
                    aw = asyncio.wait({f for _, f in pairs}, timeout=timeout_arg(args[1]),
                                      return_when=mode)
                err = None
                try:
                    r = await aw
                    res = 'ok' if pairs is not None else 'ok %d' % (r if isinstance(r, int) else 0)
                except (asyncio.CancelledError, Exception) as e:
                    err = e
                    res = outcome_exc(e)
                self.log(i, text + ' -> ' + res + (self.kids(pairs) if pairs is not None else ''))
                if err is not None and not catches(c, err):
                    raise err
            elif k == 'set' or k == 'fail':
                f = self.ref(args[0])
                try:
                    if k == 'set':
                        f.set_result(int(args[1]))
                    else:
                        f.set_exception(UserError(int(args[1])))
                    self.log(i, text + ' -> ok')
                except asyncio.InvalidStateError:
                    self.log(i, text + ' -> invalid')
            elif k == 'cancel':
                f = self.ref(args[0])
                m = args[1] if len(args) > 1 else None
                self.log(i, text + ' -> ' + ('none' if f is None else str(int(f.cancel(msg=m)))))
            elif k == 'spawn':
                j = int(args[0][1:])
                self.log(i, text)
                if self.tasks[j] is None:
                    self.tasks[j] = self.loop.create_task(self.body(j))
            elif k == 'cancelling':
                f = self.ref(args[0])
                self.log(i, text + ' -> ' + ('none' if f is None else str(f.cancelling())))
            elif k == 'uncancel':
                self.log(i, text + ' -> %d' % asyncio.current_task().uncancel())
            elif k == 'soon':
                self.log(i, text)
                self.loop.call_soon(Callback(self, 'soon', int(args[0][1:]), int(args[1])))
            elif k == 'later':
                self.log(i, text)
                cb = Callback(self, 'later', int(args[1][1:]), int(args[2]))
                self.handles[i] = (self.loop.call_later(int(args[0]), cb), cb)
            elif k == 'unlater':
                h, cb = self.handles.pop(i, (None, None))
                pending = h is not None and not h.cancelled() and not cb.ran
                if h is not None:
                    h.cancel()
                self.log(i, text + ' -> %d' % int(pending))
            elif k == 'ondone':
                f = self.ref(args[0])
                if f is None:
                    self.log(i, text + ' -> none')
                else:
                    self.log(i, text)
                    f.add_done_callback(Callback(self, 'done', int(args[1][1:]), int(args[2])))
            elif k == 'raise':
                self.log(i, text)
                if args[0] == 'c':
                    raise asyncio.CancelledError(*args[1:2])
                raise UserError(int(args[0]))
            elif k == 'return':
                self.log(i, text)
                return int(args[0])
            else:
                raise ValueError('unknown op %r' % k)
        return None

    def phase(self, name, fn):
        try:
            r = fn()
            res = 'ok %d' % r if isinstance(r, int) else 'ok'
        except Deadlock:
            res = 'idle'
        except (asyncio.CancelledError, Exception) as e:
            res = outcome_exc(e)
        self.out.append('%d %d %s -> %s' % (self.loop.iters, self.loop.vtime, name, res))

    def run(self):
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            self.tasks[0] = loop.create_task(self.body(0))
            self.phase('main', lambda: loop.run_until_complete(self.tasks[0]))
            self.phase('drain', loop.run_forever)
            for j, t in enumerate(self.tasks):
                if t is not None and not t.done():
                    self.out.append('cancel t%d -> %d' % (j, int(t.cancel())))
            self.phase('cancel', loop.run_forever)
            for j, t in enumerate(self.tasks):
                self.out.append('final t%d %s' % (j, 'unspawned' if t is None else outcome(t)))
            for k, f in enumerate(self.futs):
                self.out.append('final f%d %s' % (k, outcome(f)))
        finally:
            self.open = False
            asyncio.set_event_loop(None)
            for t in self.tasks:
                if t is not None and not t.done():
                    t._log_destroy_pending = False
            loop.close()
        return self.out


def reference(prog):
    """The asyncio trace of a program: a list of lines."""
    return Run(prog).run()
