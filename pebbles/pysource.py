"""Facts about a block of Python source, read with ``tokenize`` and ``ast``.

Which comments it holds and where, its top-level statements, the names each
binds, the builtins it rebinds, whether it is a placeholder exercise, and whether
its output depends on the clock or on chance. Nothing here runs any code.
"""

from __future__ import annotations

import ast
import builtins
import io
import tokenize
from dataclasses import dataclass

BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))

# Values that change from run to run or machine to machine: output that depends
# on them is shown as an example, not a promise. Distinctive attribute names count
# wherever they appear; ambiguous ones only on their module (``time.time``, not
# ``datetime.time``).
_UNSTABLE_ATTRIBUTES = frozenset(
    {
        "now",
        "today",
        "utcnow",
        "time_ns",
        "perf_counter",
        "perf_counter_ns",
        "monotonic",
        "process_time",
        "uuid1",
        "uuid4",
        "getpid",
        "getppid",
        "urandom",
        "getcwd",
        "listdir",
        "scandir",
        "iterdir",
        "gethostname",
        "getuser",
        "cpu_count",
        "getsizeof",
        "memory_usage",
        "token_hex",
        "token_bytes",
        "token_urlsafe",
    }
)
_UNSTABLE_QUALIFIED = frozenset(
    {
        ("time", "time"),
        ("time", "ctime"),
        ("time", "localtime"),
        ("time", "gmtime"),
        ("time", "asctime"),
        ("time", "strftime"),
        ("sys", "version"),
        ("sys", "version_info"),
        ("sys", "executable"),
        ("sys", "path"),
        ("sys", "argv"),
        ("sys", "platform"),
        ("os", "environ"),
        ("timeit", "timeit"),
        ("timeit", "repeat"),
    }
)
_UNSTABLE_NAMES = frozenset({"id", "hash", "input"})
_UNSTABLE_MODULES = frozenset({"secrets", "platform", "psutil", "tempfile", "timeit", "uuid"})
_CHANCE = "random"
CHANCE_MODULES = frozenset({_CHANCE})


@dataclass(frozen=True)
class Comment:
    row: int  # 1-based row in the source
    col: int  # 0-based column of the "#"
    text: str  # the whole comment, "#" included
    trailing: bool  # code stands before it on the same row


@dataclass(frozen=True)
class Statement:
    """A top-level statement: its rows (decorators included) and its node."""

    first: int
    last: int
    node: ast.stmt


TOO_DEEP = "too deeply nested to parse"


def parse_module(source: str) -> ast.Module:
    """``source`` as a module, allowing a top-level ``await`` as notebooks (and the
    execution engine) do; raises :class:`SyntaxError` (or :class:`ValueError`)."""
    try:
        tree = compile(
            source, "<block>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        )
    except (RecursionError, MemoryError):
        # CPython's parser gives up on a very deeply nested expression with these.
        raise SyntaxError(TOO_DEEP) from None
    assert isinstance(tree, ast.Module)
    return tree


def parses(source: str) -> bool:
    return syntax_problem(source) is None


def syntax_problem(source: str) -> tuple[int, str] | None:
    """``(row, message)`` of the first syntax error, or ``None`` when it parses."""
    try:
        parse_module(source)
    except SyntaxError as err:
        return err.lineno or 1, err.msg
    except ValueError as err:
        return 1, str(err)
    return None


_CODE_NODES = (
    ast.Call,
    ast.Attribute,
    ast.Subscript,
    ast.Lambda,
    ast.Await,
    ast.NamedExpr,
)


def bare_values(source: str) -> bool:
    """Only names and literals standing alone, as printed values look when read as Python."""
    try:
        tree = parse_module(source)
    except (SyntaxError, ValueError):
        return False
    return all(
        isinstance(node, ast.Expr) and not any(isinstance(n, _CODE_NODES) for n in ast.walk(node))
        for node in tree.body
    )


def comments(source: str) -> list[Comment]:
    """Every comment, found by the tokenizer (so a ``#`` inside a string is not one)."""
    found: list[Comment] = []
    code_rows: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                row, col = token.start
                found.append(Comment(row, col, token.string, row in code_rows))
            elif token.type not in _LAYOUT:
                code_rows.update(range(token.start[0], token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return found
    return found


_LAYOUT = (
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.COMMENT,
)


def statements(tree: ast.Module) -> list[Statement]:
    """Top-level statements in order, each with the rows it spans."""
    found = []
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno, *(d.lineno for d in decorators)])
        found.append(Statement(first, node.end_lineno or node.lineno, node))
    return found


def is_print(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )


def shown_expression(node: ast.stmt) -> bool:
    """A bare expression a notebook or REPL would display (not a print, not a docstring)."""
    if not isinstance(node, ast.Expr) or is_print(node.value):
        return False
    return not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))


def bound_names(nodes: list[ast.stmt]) -> frozenset[str]:
    """Names these statements bind at module level."""
    names: set[str] = set()
    for node in nodes:
        for sub in _module_level(node):
            names.update(_targets(sub))
    return frozenset(names)


def _module_level(node: ast.AST) -> list[ast.AST]:
    """``node`` and the statements nested in it that still run at module level."""
    found: list[ast.AST] = [node]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
        return found
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
            found.extend(_module_level(child))
    return found


def _targets(node: ast.AST) -> set[str]:
    names: set[str] = set()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.add(node.name)
    elif isinstance(node, ast.Import | ast.ImportFrom):
        names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        names.add(node.name)
    else:
        for target in _assigned(node):
            names.update(
                n.id
                for n in ast.walk(target)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
    return names


def _assigned(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor):
        return [node.target]
    if isinstance(node, ast.With | ast.AsyncWith):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    if isinstance(node, ast.NamedExpr):
        return [node.target]
    return []


def shadowed_builtins(nodes: list[ast.stmt]) -> frozenset[str]:
    """Builtin names (``len``, ``list``, ``str``…) these statements rebind, as names
    (``len = 5``) or on the builtins module itself (``builtins.input = fake``)."""
    patched = {
        target.attr
        for node in nodes
        for sub in _module_level(node)
        for assigned in _assigned(sub)
        for target in ast.walk(assigned)
        if isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in ("builtins", "__builtins__")
    }
    return (bound_names(nodes) | patched) & BUILTIN_NAMES


def used_names(nodes: list[ast.stmt]) -> frozenset[str]:
    return frozenset(
        n.id
        for node in nodes
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )


def placeholder(tree: ast.Module) -> int | None:
    """Row of a ``...`` that stands for code the reader must write, or ``None``.

    ``x = ...``, ``f(...)`` and a function whose whole body is ``...`` are
    exercises; ``a[..., 0]``, ``tuple[int, ...]`` and the bodies of protocols,
    overloads and abstract methods are real Python.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Return) and _is_ellipsis(node.value):
            return node.lineno
        if isinstance(node, ast.Call):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                if _is_ellipsis(argument):
                    return argument.lineno
    return _stub_body(tree.body, declared=False)


def _stub_body(body: list[ast.stmt], declared: bool) -> int | None:
    """Row of a function body that is only ``...``, outside protocols and ABCs."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            found = _stub_body(node.body, declared or _declares(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _only_ellipsis(node.body) and not (declared or _decorated_declaration(node)):
                return node.body[-1].lineno
            found = _stub_body(node.body, declared)
        else:
            found = None
        if found is not None:
            return found
    return None


def _is_ellipsis(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _only_ellipsis(body: list[ast.stmt]) -> bool:
    real = [s for s in body if not _is_docstring(s)]
    return len(real) == 1 and isinstance(real[0], ast.Expr) and _is_ellipsis(real[0].value)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


_DECLARING_BASES = frozenset({"Protocol", "ABC", "ABCMeta", "Generic", "TypedDict", "NamedTuple"})
_DECLARING_DECORATORS = frozenset({"overload", "abstractmethod", "abstractproperty"})


def _declares(node: ast.ClassDef) -> bool:
    """A protocol or abstract base, whose method bodies are only declarations."""
    names = {_last_name(base) for base in [*node.bases, *(k.value for k in node.keywords)]}
    return bool(names & _DECLARING_BASES)


def _decorated_declaration(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return bool({_last_name(d) for d in node.decorator_list} & _DECLARING_DECORATORS)


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def unstable(nodes: list[ast.stmt], tainted: frozenset[str], chance: frozenset[str]) -> bool:
    """Does this code's output depend on the clock, chance, the machine or a tainted name?

    ``chance``: the names of unseeded random-number modules (``random``, an alias);
    a generator made with a seed (``Random(42)``) is repeatable and does not count.
    """
    modules = _UNSTABLE_MODULES | chance
    pending: list[ast.AST] = list(nodes)
    while pending:
        sub = pending.pop()
        if _seeded_generator(sub):
            continue
        if isinstance(sub, ast.Name) and (
            sub.id in tainted or sub.id in _UNSTABLE_NAMES or sub.id in chance
        ):
            return True
        if isinstance(sub, ast.Attribute) and _unstable_attribute(sub, modules):
            return True
        if isinstance(sub, ast.ImportFrom) and (sub.module or "").split(".")[0] in modules:
            return True
        pending.extend(ast.iter_child_nodes(sub))
    return False


_GENERATORS = frozenset(
    {"Random", "RandomState", "default_rng", "Generator", "seed", "manual_seed"}
)


def _seeded_generator(node: ast.AST) -> bool:
    """``Random(42)``, ``np.random.default_rng(0)``: chance made repeatable."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    return _last_name(node.func) in _GENERATORS


def chance_modules(nodes: list[ast.stmt]) -> frozenset[str]:
    """Names these statements bind to a random-number module (``import random as rnd``)."""
    names: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                names.update(
                    (alias.asname or alias.name).split(".")[0]
                    for alias in sub.names
                    if alias.name.split(".")[0] == _CHANCE
                )
    return frozenset(names)


def _unstable_attribute(node: ast.Attribute, modules: frozenset[str]) -> bool:
    if node.attr in _UNSTABLE_ATTRIBUTES or node.attr in modules:
        return True
    parent = node.value
    owner = parent.id if isinstance(parent, ast.Name) else None
    if isinstance(parent, ast.Attribute):
        owner = parent.attr
    return owner in modules or (owner, node.attr) in _UNSTABLE_QUALIFIED


_UNORDERED_CALLS = frozenset({"set", "frozenset", "gather", "as_completed", "imap_unordered"})
_CONCURRENT_MODULES = frozenset(
    {"threading", "multiprocessing", "concurrent", "asyncio", "subprocess"}
)


def unordered(nodes: list[ast.stmt], tainted: frozenset[str]) -> bool:
    """May this code print lines in an order that changes between runs?

    Iterating a set of strings follows their hashes, which change per process;
    threads, processes and tasks interleave as they please.
    """
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Set | ast.SetComp):
                return True
            if isinstance(sub, ast.Name) and (sub.id in tainted or sub.id in _UNORDERED_CALLS):
                return True
            if isinstance(sub, ast.Attribute) and sub.attr in _UNORDERED_CALLS:
                return True
            if isinstance(sub, ast.Import | ast.ImportFrom) and _imports_concurrency(sub):
                return True
    return False


def _imports_concurrency(node: ast.Import | ast.ImportFrom) -> bool:
    modules = (
        [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    )
    return any(module.split(".")[0] in _CONCURRENT_MODULES for module in modules)


_CONCURRENCY = frozenset(
    {
        "start",
        "Process",
        "Thread",
        "Timer",
        "Pool",
        "Popen",
        "fork",
        "ThreadPoolExecutor",
        "ProcessPoolExecutor",
        "submit",
        "apply_async",
        "map_async",
    }
)


def starts_work(nodes: list[ast.stmt]) -> bool:
    """Does this code start threads or processes (which must stay in one runner block,
    since the engine joins threads and stops processes when a block ends)?"""
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and sub.attr in _CONCURRENCY:
                return True
            if isinstance(sub, ast.Name) and sub.id in _CONCURRENCY:
                return True
            if isinstance(sub, ast.Import | ast.ImportFrom) and _imports_concurrency(sub):
                return True
    return False


def seeds_randomness(nodes: list[ast.stmt]) -> bool:
    """Does the code seed the global generators (``random.seed(1)``, ``np.random.seed(1)``)?"""
    return any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Attribute)
        and sub.func.attr in ("seed", "manual_seed", "set_seed")
        and bool(sub.args)
        for node in nodes
        for sub in ast.walk(node)
    )
