"""Run one post's blocks, in order, inside the sandboxed process made for that post.

This is the only code that executes author code. The blocks share one namespace,
registered as the real ``__main__`` module so that pickling and ``multiprocessing``
find functions defined in a post. Each block is compiled under the post's own path
with its ``.md`` line numbers, so tracebacks, warnings and recorded ``print`` calls
point at the Markdown. The session reports each block as it goes (see
:mod:`pebbles.protocol`): if the process dies halfway, what was already said stands.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import io
import json
import linecache
import os
import signal
import sys
import time
import traceback
import types
from typing import Any

from .protocol import BlockJob, Job, block_tag, example_tag, marker

MAX_PRINTS = 10_000  # recorded print calls per block; a loop past this is ambiguous anyway
_SWEEP_ROUNDS = 5
_PRINT = builtins.print  # taken at import, before any session can replace it
_UNSTOPPABLE = "it left processes that kept multiplying (a fork bomb?); they were killed"
_BUILTIN_MODULE = "builtins"
# inspect.CO_COROUTINE: code compiled with a top-level await is a coroutine. Not
# imported from inspect, whose weight every post's fork would copy.
CO_COROUTINE = 0x80


class BlockTimeout(BaseException):
    """Raised in the main thread when a block's (or the post's) time is up.

    A ``BaseException`` so that a bare ``except Exception`` in the post cannot
    swallow it; the worker's hard kill covers code that catches everything.
    """


class Session:
    """The state of one post's run: its namespace, its clock and its streams."""

    def __init__(self, job: Job, ctrl_fd: int, own_uid: bool) -> None:
        self.job = job
        self.own_uid = own_uid
        self.path = job["path"]
        self.ctrl_fd = ctrl_fd
        self.pid = os.getpid()
        # Private copies of the capture pipes, so a block that closes fd 1 or 2
        # cannot stop the session from restoring them and marking the output.
        self.out_fd = os.dup(1)
        self.err_fd = os.dup(2)
        self.stdout = sys.stdout
        self.stderr = sys.stderr
        self.shared = _new_main()
        self.prints: list[tuple[int, str]] = []
        self.post_deadline = time.monotonic() + job["post_timeout"]
        self.post_bound = False  # is the armed timer the post's, not the block's?
        self.waiting_for: str | None = None  # a thread the block left running
        self.loop: Any = None  # an asyncio loop, made on the first top-level await

    def run(self) -> None:
        """Run every block until one fails in a way that stops the post."""
        self._register_source()
        sys.modules["__main__"] = self.shared
        builtins.print = self._print
        signal.signal(signal.SIGALRM, self._on_alarm)
        for block in self.job["blocks"]:
            if not self._run_block(block):
                break

    # --- one block -------------------------------------------------------------

    def _run_block(self, block: BlockJob) -> bool:
        """Run ``block``; ``False`` when the post must stop here."""
        index = block["index"]
        self._send({"ev": "start", "block": index, "timeout": block["timeout"]})
        started = time.perf_counter()
        self.prints = []
        self._reset_streams()
        missing = [name for name in block["requires"] if not _importable(name)]
        if missing:
            result: dict[str, Any] = {"outcome": "skipped", "detail": _missing_words(missing)}
            carry_on = True
        else:
            result, carry_on = self._attempt(block)
        if not self._stop_processes():
            carry_on = False
            if result["outcome"] == "ok":
                result = {"outcome": "killed", "detail": _UNSTOPPABLE}
        self._finish_output(block_tag(index), both=True)
        result.update(
            ev="end", block=index, prints=self.prints, duration=time.perf_counter() - started
        )
        self._send(result)
        return carry_on

    def _attempt(self, block: BlockJob) -> tuple[dict[str, Any], bool]:
        try:
            if block["kind"] == "compile":
                # A transcript's prompts are not Python: check each statement instead.
                for example in block["examples"]:
                    self._compile(example["source"], example["line"], "single")
                if not block["examples"]:
                    self._compile(block["source"], block["line"], "exec")
                return {"outcome": "compiled"}, True
            self._execute(block)
        except BaseException as exc:  # the post's failure is data, whatever it is
            self._leave_if_forked()
            return self._failure(exc, block)
        return {"outcome": "ok"}, True

    def _execute(self, block: BlockJob) -> None:
        module = _new_main() if block["isolated"] else self.shared
        code = None
        if block["kind"] != "transcript":
            code = self._compile(block["source"], block["line"], "exec")
        sys.modules["__main__"] = module
        before = _threads()
        self._arm(block["timeout"])
        try:
            failure: BaseException | None = None
            try:
                if code is None:
                    self._run_examples(block, module.__dict__)
                else:
                    self._run_code(code, module.__dict__)
            except (BlockTimeout, MemoryError):
                raise
            except BaseException as exc:  # kept until the block's threads are joined
                self._leave_if_forked()
                failure = exc
            self._join_threads(before)
            if failure is not None:
                raise failure
        finally:
            self._disarm()
            sys.modules["__main__"] = self.shared

    def _run_examples(self, block: BlockJob, namespace: dict[str, Any]) -> None:
        """A transcript: each ``>>>`` statement runs like the interactive prompt."""
        for number, example in enumerate(block["examples"]):
            try:
                self._run_code(
                    self._compile(example["source"], example["line"], "single"), namespace
                )
            except (BlockTimeout, MemoryError):
                raise
            except BaseException as exc:  # shown as the example's output, as doctest does
                self._leave_if_forked()
                self._flush()
                self.stdout.write(self._describe(exc)[0])
            self._finish_output(example_tag(block["index"], number), both=False)

    def _compile(self, source: str, line: int, mode: str) -> types.CodeType:
        # Leading newlines put every statement, and every SyntaxError, on its .md line.
        padded = "\n" * (line - 1) + source
        code: types.CodeType = compile(
            padded, self.path, mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
        )
        return code

    def _run_code(self, code: types.CodeType, namespace: dict[str, Any]) -> None:
        if code.co_flags & CO_COROUTINE:
            self._event_loop().run_until_complete(eval(code, namespace))
        else:
            exec(code, namespace)
        self._leave_if_forked()

    def _event_loop(self) -> Any:
        if self.loop is None:
            import asyncio  # only posts with a top-level await pay for it

            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
        return self.loop

    def _leave_if_forked(self) -> None:
        """A process the post forked must not go on to run the session's next steps."""
        if os.getpid() != self.pid:
            self._flush()
            os._exit(0)

    # --- failures ----------------------------------------------------------------

    def _failure(self, exc: BaseException, block: BlockJob) -> tuple[dict[str, Any], bool]:
        text, line = self._describe(exc)
        where = {"error_line": line, "traceback": text}
        if isinstance(exc, BlockTimeout):
            return {
                "outcome": "timeout",
                "detail": self._timeout_words(block, line),
                **where,
            }, False
        if isinstance(exc, MemoryError):
            words = (
                "ran out of memory (MemoryError) under the post's memory limit (check.memory_mb)"
            )
            return {"outcome": "memory", "detail": words, "error": "MemoryError", **where}, False
        wanted = block["raises"]
        expected = wanted is not None and _is_kind_of(type(exc), wanted)
        return {"outcome": "error", "error": _class_name(type(exc)), **where}, expected

    def _timeout_words(self, block: BlockJob, line: int | None) -> str:
        at = f" at line {line}" if line else ""
        if self.waiting_for:
            at += f", waiting for thread {self.waiting_for!r} it started"
        if self.post_bound:
            limit = self.job["post_timeout"]
            return f"the post used up its {limit:g} s (check.post_timeout){at}; raise check.post_timeout in site.yml"
        limit = block["timeout"]
        return (
            f"still running after its {limit:g} s timeout{at}; raise the limit with timeout=SECONDS"
        )

    def _describe(self, exc: BaseException) -> tuple[str, int | None]:
        """The traceback from the post's first frame on, and the innermost post line."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != self.path:
            tb = tb.tb_next
        line = None
        walk = tb
        while walk is not None:
            if walk.tb_frame.f_code.co_filename == self.path:
                line = walk.tb_lineno
            walk = walk.tb_next
        if line is None and isinstance(exc, SyntaxError) and exc.filename == self.path:
            line = exc.lineno
        shown = traceback.TracebackException(type(exc), exc, tb)
        _hide_own_frames(shown)
        return "".join(shown.format()), line

    # --- time ------------------------------------------------------------------

    def _arm(self, timeout: float) -> None:
        left = self.post_deadline - time.monotonic()
        self.post_bound = left < timeout
        signal.setitimer(signal.ITIMER_REAL, max(min(timeout, left), 0.001))

    def _disarm(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _on_alarm(self, signum: int, frame: types.FrameType | None) -> None:
        raise BlockTimeout

    def _join_threads(self, before: set[Any]) -> None:
        """Wait for the threads the block started; the block's timer bounds the wait."""
        threading = sys.modules.get("threading")
        if threading is None:
            return
        for thread in threading.enumerate():
            if thread in before or thread.daemon or thread is threading.current_thread():
                continue
            self.waiting_for = thread.name
            thread.join()
        self.waiting_for = None

    # --- processes -------------------------------------------------------------

    def _stop_processes(self) -> bool:
        """Kill and reap what the block left running, including adopted orphans.

        The worker made this process a subreaper, so a daemonised grandchild is
        re-parented here and shows up as a child. With a user id of its own, the
        post's every other process dies at once (``kill(-1)``), which is the only
        way to stop a fork bomb from refilling; otherwise, after a few rounds the
        session gives up and leaves the rest to the worker's process-group kill.
        """
        for _ in range(_SWEEP_ROUNDS):
            kids = _children()
            if not kids:
                return True
            if self.own_uid:
                _kill(-1)
            for pid in kids:
                if _state(pid) != "Z":
                    _kill(pid)
            for pid in kids:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        return not _children()

    # --- output ----------------------------------------------------------------

    def _print(
        self,
        *args: Any,
        sep: str | None = " ",
        end: str | None = "\n",
        file: Any = None,
        flush: bool = False,
    ) -> None:
        """``print``, also recording what it wrote and the ``.md`` line that called it."""
        target = sys.stdout if file is None else file
        line = self._call_line() if target is sys.stdout and target is not None else None
        if line is None or len(self.prints) >= MAX_PRINTS:
            _PRINT(*args, sep=sep, end=end, file=file, flush=flush)
            return
        buffer = io.StringIO()
        _PRINT(*args, sep=sep, end=end, file=buffer)
        text = buffer.getvalue()
        self.prints.append((line, text))
        _PRINT(text, end="", file=target, flush=flush)

    def _call_line(self) -> int | None:
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename != self.path:
            frame = frame.f_back  # type: ignore[assignment]
        return frame.f_lineno if frame is not None else None

    def _reset_streams(self) -> None:
        os.dup2(self.out_fd, 1)
        os.dup2(self.err_fd, 2)
        sys.stdout = self.stdout
        sys.stderr = self.stderr
        builtins.print = self._print

    def _flush(self) -> None:
        for stream in {
            id(s): s for s in (sys.stdout, sys.stderr, self.stdout, self.stderr)
        }.values():
            # A stream the post closed, or replaced with something odd, is its own loss.
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()

    def _finish_output(self, tag: str, *, both: bool) -> None:
        """Flush and mark the end of a segment, even if the block closed fd 1 or 2."""
        os.dup2(self.out_fd, 1)
        os.dup2(self.err_fd, 2)
        self._flush()
        text = marker(self.job["nonce"], tag).encode()
        _write_all(self.out_fd, text)
        if both:
            _write_all(self.err_fd, text)

    def _send(self, message: dict[str, Any]) -> None:
        _write_all(self.ctrl_fd, (json.dumps(message) + "\n").encode())

    def _register_source(self) -> None:
        """Let tracebacks quote the post's code, though the .md file is not in the sandbox."""
        lines: list[str] = []
        for block in self.job["blocks"]:
            pieces = [(block["line"], block["source"])]
            pieces += [(e["line"], e["source"]) for e in block["examples"]]
            for first, source in pieces:
                for offset, text in enumerate(source.splitlines()):
                    at = first - 1 + offset
                    lines.extend([""] * (at + 1 - len(lines)))
                    lines[at] = text + "\n"
        # mtime None marks the entry as not backed by a file, so checkcache keeps it.
        linecache.cache[self.path] = (len("".join(lines)), None, lines, self.path)


def run(job: Job, ctrl_fd: int, own_uid: bool) -> None:
    """Run ``job``'s blocks in this (already sandboxed) process.

    ``own_uid``: the process runs under a user id no other process has but the
    post's own, so signalling "every process I may signal" is safe.
    """
    Session(job, ctrl_fd, own_uid).run()


def _hide_own_frames(shown: traceback.TracebackException) -> None:
    """Drop this module's frames (the ``print`` wrapper) from a traceback and its chain."""
    seen: set[int] = set()
    todo = [shown]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        kept = [frame for frame in current.stack if frame.filename != __file__]
        current.stack = traceback.StackSummary.from_list(kept)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


def _threads() -> set[Any]:
    """The running ``threading`` threads; none unless the post imported ``threading``.

    The worker does not import it: its after-fork hook would cost every post's
    process a few hundred microseconds, threads or not. A thread the post starts
    means the post imported it, fresh in its own process.
    """
    threading = sys.modules.get("threading")
    return set(threading.enumerate()) if threading is not None else set()


def _new_main() -> types.ModuleType:
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = builtins
    return module


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _missing_words(missing: list[str]) -> str:
    names = " and ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"requires {names}, which {verb} not installed"


def _is_kind_of(kind: type[BaseException], wanted: str) -> bool:
    """``raises=json.JSONDecodeError`` and ``raises=ValueError`` both fit a JSONDecodeError."""
    name = wanted.rsplit(".", 1)[-1]
    return any(cls.__name__ == name for cls in kind.__mro__)


def _class_name(kind: type[BaseException]) -> str:
    if kind.__module__ == _BUILTIN_MODULE:
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _children() -> list[int]:
    if childless():
        return []  # the usual case: the block started no process
    found: list[int] = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as handle:
            found.extend(int(pid) for pid in handle.read().split())
    return found


def childless() -> bool:
    """Has this process no child at all? One system call, where /proc takes three.

    It may reap one child that has already exited: every caller is about to reap
    them all anyway.
    """
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "X"


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
