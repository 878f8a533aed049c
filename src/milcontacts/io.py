"""Reading annotation files and raw texts safely.

YAML is read with libyaml's C parser (``yaml.CSafeLoader``) and PyYAML's safe
constructor only: no tag can build a Python object.  On top of it this module
adds what PyYAML does not do:

* a size limit checked with ``stat`` before anything is read;
* strict UTF-8 decoding with the line of the first bad byte, and BOM detection;
* a nesting-depth bound computed before parsing (libyaml's composer recurses
  on the C stack and crashes the interpreter on ~100k nested brackets);
* duplicate mapping keys, which YAML resolves silently by keeping the last;
* an alias budget, so a "billion laughs" file is refused in milliseconds.

For speed, the data of a plain file (no anchor, no tag, string keys) is built
from libyaml's nodes directly, with exactly the result of PyYAML's safe
constructor, which handles every other file (:func:`_fast_construct`).

Problems come back as :class:`~milcontacts.checks.Diagnostic` values, never as
exceptions, so the validator can report them together with everything else.
The root YAML node is kept, so later levels can point at the line of any value
(:func:`locate`).
"""

from __future__ import annotations

import json
import operator
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from typing import Any, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import checks
from .checks import Diagnostic
from .limits import DEFAULT, Limits

try:  # libyaml is what makes validation fast; fall back loudly, not silently.
    from yaml import CSafeLoader as _BaseLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False

BOM = b"\xef\xbb\xbf"


@dataclass
class Loaded:
    """The result of reading one YAML file: data (or None) and what went wrong."""

    path: str
    data: Any = None
    root: Node | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    raw: bytes = b""
    #: the data is of the plain subset (built by the fast constructor): strings, decimal ints,
    #: booleans, null, lists and string-keyed mappings, so JSON gives it back unchanged
    plain: bool = False

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class _Abort(Exception):
    """Raised inside the loader to stop at a limit; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records duplicate keys and budgets aliases."""

    def __init__(self, stream: str, path: str, limits: Limits, check_aliases: bool):
        super().__init__(stream)
        self.mc_path = path
        self.mc_limits = limits
        self.mc_check_aliases = check_aliases
        self.mc_problems: list[Diagnostic] = []
        self.mc_root: Node | None = None
        self.mc_plain = False

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        self.mc_root = node
        if node is None:
            return None
        if self.mc_check_aliases:
            _check_aliases(node, self.mc_path, self.mc_limits)
        else:
            # No anchor in the file, so the node graph is a tree: try the fast
            # path, which gives PyYAML's data or gives up (see _fast_construct).
            try:
                data = _fast_construct(node, self.bool_values)
                self.mc_plain = True
                return data
            except Exception:  # anything unusual: PyYAML's constructor decides
                pass
        return self.construct_document(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                if key in seen:
                    m = key_node.start_mark
                    self.mc_problems.append(checks.make(
                        "Y002", self.mc_path, m.line + 1, m.column + 1, key=key, first=seen[key]))
                else:
                    seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _NULL, _BOOL, _MAP, _SEQ = (_TAG + t for t in ("str", "int", "null", "bool", "map", "seq"))
_PLAIN_INT = re.compile(r"(?:[1-9][0-9]*|0)\Z")


class _Fallback(Exception):
    """The fast constructor met something only PyYAML's constructor handles."""


def _fast_construct(node: Node, bool_values: dict[str, bool]) -> Any:
    """The data of a tree of nodes, exactly as ``SafeConstructor`` builds it.

    PyYAML's constructor is general (aliases, merge keys, timestamps, sets,
    generators for recursive structures) and costs as much as libyaml's
    parse.  Annotation files use a small subset: mappings with string keys,
    sequences, strings, decimal integers, booleans and null.  This builds
    that subset directly and raises for anything else (another tag, a
    non-string or duplicate key, an unusual integer), in which case the
    caller runs PyYAML's constructor on the same nodes: the data, and every
    diagnostic (Y002 duplicate keys in their order, Y003 tags, errors), are
    then PyYAML's own.  Only called on trees (files without anchors).
    """
    cls = node.__class__
    tag = node.tag
    if cls is ScalarNode:
        value = node.value
        if tag == _STR:
            return value
        if tag == _INT and _PLAIN_INT.match(value):
            return int(value)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return bool_values[value.lower()]
        raise _Fallback
    if cls is MappingNode and tag == _MAP:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode or key_node.tag != _STR:
                raise _Fallback
            key = key_node.value
            if key in mapping:  # a duplicate key: PyYAML's path reports it
                raise _Fallback
            mapping[key] = _fast_construct(value_node, bool_values)
        return mapping
    if cls is SequenceNode and tag == _SEQ:
        return [_fast_construct(child, bool_values) for child in node.value]
    raise _Fallback


def _check_aliases(root: Node, path: str, limits: Limits) -> None:
    """Count alias uses and the expanded size of the node graph.

    A node reached more than once is an alias target.  The expanded size is
    computed with memoisation, so the check is linear in the number of
    distinct nodes even for an exponential "billion laughs" graph.
    """
    sizes: dict[int, int] = {}
    visited: set[int] = set()
    aliases = 0
    stack: list[tuple[Node, bool]] = [(root, False)]

    def abort(node: Node, detail: str) -> _Abort:
        m = node.start_mark
        return _Abort(checks.make("Y004", path, m.line + 1, m.column + 1, detail=detail))

    while stack:
        node, done = stack.pop()
        if done:
            total = 1
            children = node.value if isinstance(node, SequenceNode) else (
                [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else [])
            for child in children:
                size = sizes.get(id(child))
                if size is None:  # an alias to an ancestor: a recursive structure
                    raise abort(child, "a recursive alias (a node that contains itself)")
                total += size
            if total > limits.max_nodes:
                raise abort(root, f"aliases expand to more than {limits.max_nodes:,} nodes")
            sizes[id(node)] = total
            continue
        if id(node) in visited:
            aliases += 1
            if aliases > limits.max_aliases:
                raise abort(node, f"more than {limits.max_aliases} aliases")
            continue
        visited.add(id(node))
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((c, False) for c in node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((k, False))
                stack.append((v, False))


# Quoted scalars on one line (unrolled loops: the same strings as the obvious
# ``"(?:[^"\\\n]|\\.)*"``, several times faster to scan). A quote right after a
# letter or digit is an apostrophe inside a plain scalar (``l'armée``): YAML
# never starts a quoted scalar there, so it is not taken as one.
_QUOTED = re.compile(rb'(?<![0-9A-Za-z\x80-\xff])(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*(?:\'\'[^\'\n]*)*\')')
_MARK = b"\x01"  # stands for a removed quoted scalar
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}\n")  # bytes.translate deletes these
_LEADING = re.compile(rb"\n[ \t]+")
# YAML line breaks other than LF: CR, and (YAML 1.1, which libyaml follows) NEL, LS, PS.
# The cheap bound reads lines split at LF only, so a file with any of these gets the exact count.
_OTHER_BREAK = re.compile(rb"\r|\xc2\x85|\xe2\x80[\xa8\xa9]")
_FIRST_INDENT = re.compile(rb"[ \t]*")
# Where a quoted scalar may begin: after a flow indicator, after ": ", or at the
# start of a line after block indicators ("- ", "? ", ": ").
_AFTER_INDICATOR = re.compile(rb"(?:[\[{,][ \t]*|:[ \t]+)\Z")
_LINE_START = re.compile(rb"[ \t]*(?:[-?:][ \t]+)*\Z")
_QUOTE_OR_MARK = re.compile(rb"[\"'\x01]")
_WORD_BYTE = re.compile(rb"[0-9A-Za-z\x80-\xff]")


def _strip_comments(raw: bytes) -> bytes:
    """``raw`` without its comments: a ``#`` at the start of a line or after a
    space or tab, to the end of the line."""
    i = raw.find(b"#")
    if i == -1:
        return raw
    out, pos = [], 0
    while i != -1:
        if i == 0 or raw[i - 1] in (0x20, 0x09, 0x0A):
            j = raw.find(b"\n", i)
            j = len(raw) if j == -1 else j
            out.append(raw[pos:i])
            pos = j
            i = raw.find(b"#", j)
        else:
            i = raw.find(b"#", i + 1)
    out.append(raw[pos:])
    return b"".join(out)


def _per_line(lines: list[bytes], a: bytes, b: bytes) -> list[int]:
    """For each line, how many times ``a`` and ``b`` occur in it (counted in C)."""
    return list(map(operator.add, map(bytes.count, lines, repeat(a)), map(bytes.count, lines, repeat(b))))


def _flow_peak(lines: list[bytes]) -> tuple[int, list[int]]:
    """Peak of the running bracket count, and the count at each line start."""
    brackets = [line.translate(None, _NOT_BRACKETS) for line in lines]
    opens = _per_line(brackets, b"[", b"{")
    closes = list(map(operator.sub, map(len, brackets), opens))
    if opens == closes:  # every line balanced: the running depth is 0 at each line start
        return max(opens, default=0), [0] * len(lines)
    depth = peak = 0
    at_start = []
    for o, c in zip(opens, closes):
        at_start.append(depth)
        if o and depth + o > peak:
            peak = depth + o
        depth = max(0, depth + o - c)
    return peak, at_start


def _scalars_unambiguous(lines: list[bytes], at_start: list[int]) -> bool:
    """Whether every removed quoted scalar began where YAML begins one, and no
    quote is left that could open a scalar spanning lines.

    A quote that could be read two ways (inside a plain scalar, after a tag or
    anchor, JSON-style ``"a":"b"``, a quoted scalar over several lines) makes
    the cheap bound unsafe, so the caller falls back to the exact count.
    """
    for line, depth in zip(lines, at_start):
        for m in _QUOTE_OR_MARK.finditer(line):
            i = m.start()
            before = line[:i]
            if line[i] != 1:  # a quote left over: only an apostrophe after a letter is harmless
                if i == 0 or not _WORD_BYTE.match(line, i - 1):
                    return False
            elif not (_AFTER_INDICATOR.search(before) or (depth == 0 and _LINE_START.match(before))):
                # A line start in a possible flow collection may continue a plain scalar.
                return False
    return True


def depth_bound(raw: bytes) -> int:
    """A true upper bound on the YAML nesting depth of ``raw``, without parsing.

    Flow depth: running count of brackets once quoted scalars and comments are
    removed (a bracket inside a plain scalar only makes the bound larger).  The
    removal is trusted only when every quoted scalar is on one line and starts
    where YAML starts one, and only when LF is the file's one line break;
    otherwise (rare: multi-line quoted scalars, tags before quotes, JSON-style
    keys, CR/NEL/LS/PS line breaks) the bound is the file's length, which sends
    the caller to the exact count.
    Block depth: every nested block needs more indentation, except sequences
    written at the indentation of their key and compact ``- - x`` entries,
    counted per line.  Over-estimating only costs an exact (slower) check.
    """
    if _MARK in raw or _OTHER_BREAK.search(raw):
        return len(raw) + 1
    lines = _strip_comments(_QUOTED.sub(_MARK, raw)).split(b"\n")
    peak, at_start = _flow_peak(lines)
    if (b'"' in raw or b"'" in raw) and not _scalars_unambiguous(lines, at_start):
        return len(raw) + 1
    first = _FIRST_INDENT.match(raw)
    indent = max(len(first.group()) if first else 0,
                 max(map(len, _LEADING.findall(raw)), default=1) - 1)
    compact = max(_per_line(raw.split(b"\n"), b"- ", b"? "), default=0)
    return peak + 2 * (indent + 1) + compact


@dataclass(frozen=True)
class Depth:
    """How deep the parser went, and where it first passed the limit."""

    peak: int
    line: int = 1
    column: int = 1


def _is_depth_error(exc: yaml.YAMLError) -> bool:
    """libyaml >= 0.2.6 stops at a nesting cap of its own; that is a depth problem."""
    return "maximum nesting depth" in str(exc)


def exact_depth(text: str, limit: int) -> Depth:
    """Nesting depth from libyaml's event stream (its parser keeps an explicit
    stack, unlike the composer); stops as soon as ``limit`` is passed.

    A parser's own nesting cap counts as passing the limit, at its line, so the
    project's limit does not depend on the libyaml version installed.  Any other
    syntax error ends the count: the real parse reports it.
    """
    depth = peak = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > peak:
                    peak = depth
                    if peak > limit:
                        mark = event.start_mark
                        return Depth(peak, mark.line + 1, mark.column + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if _is_depth_error(exc):
            mark = exc.problem_mark or exc.context_mark
            return Depth(limit + 1, *((mark.line + 1, mark.column + 1) if mark else (1, 1)))
    except (yaml.YAMLError, ValueError):
        pass
    return Depth(peak)


def decode_utf8(raw: bytes, path: str, what: str) -> tuple[str | None, Diagnostic | None]:
    """Strict UTF-8 decoding; on failure a Y006 diagnostic at the bad byte."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        detail = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}: {exc.reason}"
        return None, checks.make("Y006", path, line, col, what="file", detail=detail)


def read_bytes(path: Path, display: str, limit: int) -> tuple[bytes | None, Diagnostic | None]:
    """Read a file whole, refusing it by size first (without reading it).

    A symbolic link is refused (C006), never followed: a corpus comes from
    pull requests, and a link could make a tool read a file of the machine.
    """
    try:
        info = os.lstat(path)
    except OSError as exc:
        return None, checks.make("Y001", display, 1, 1, detail=f"cannot read file: {exc.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return None, checks.make("C006", display, 1, 1, path=display)
    if info.st_size > limit:
        return None, checks.make("Y005", display, 1, 1, size=info.st_size, limit=limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with open(fd, "rb") as fh:
            return fh.read(limit + 1), None
    except OSError as exc:
        return None, checks.make("Y001", display, 1, 1, detail=f"cannot read file: {exc.strerror}")


def load_yaml_bytes(raw: bytes, display: str, limits: Limits = DEFAULT) -> Loaded:
    """Parse YAML bytes safely into plain data; all problems as diagnostics."""
    result = Loaded(display, raw=raw)
    if len(raw) > limits.max_yaml_bytes:
        result.diagnostics.append(checks.make("Y005", display, 1, 1, size=len(raw), limit=limits.max_yaml_bytes))
        return result
    if raw.startswith(BOM):
        result.diagnostics.append(checks.make("Y007", display, 1, 1))
        raw = raw[len(BOM):]
    text, problem = decode_utf8(raw, display, "file")
    if problem is not None:
        result.diagnostics.append(problem)
        return result
    assert text is not None
    if depth_bound(raw) > limits.max_depth and exact_depth_safe(text, limits.max_depth, display, result):
        return result
    loader = _Loader(text, display, limits, check_aliases=(b"&" in raw or b"*" in raw))
    try:
        result.data = loader.get_single_data()
        result.root = loader.mc_root
        result.plain = loader.mc_plain
    except _Abort as abort:
        result.diagnostics.append(abort.diagnostic)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        tag = _tag_of(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if tag is not None:
            result.diagnostics.append(checks.make("Y003", display, line, col, tag=tag))
        else:
            result.diagnostics.append(checks.make("Y001", display, line, col, detail=_yaml_detail(exc)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if _is_depth_error(exc):  # the parser's own cap, below ours or not: still a depth problem
            result.diagnostics.append(checks.make("Y008", display, line, col, limit=limits.max_depth))
        else:
            result.diagnostics.append(checks.make("Y001", display, line, col, detail=_yaml_detail(exc)))
    except Exception as exc:  # noqa: BLE001 - untrusted input must never end in a traceback
        # PyYAML's constructors raise bare built-in exceptions on some explicit
        # tags ("!!bool maybe" KeyError, "!!timestamp abc" AttributeError,
        # "!!int abc" ValueError, "!!set [1]" TypeError), and libyaml rejects
        # some characters (lone surrogates) without a mark. Point at the first
        # explicit tag when there is one: it is almost always the culprit.
        line, col = _first_tag(raw)
        detail = str(exc).splitlines()[0] if str(exc) else ""
        result.diagnostics.append(checks.make("Y001", display, line, col,
                                              detail=f"cannot read a value ({type(exc).__name__}: {detail})"))
    finally:
        loader.dispose()
    result.diagnostics.extend(loader.mc_problems)
    # libyaml can put the mark of an error at end of input one line past the
    # last one; a diagnostic must always point at a line of the file.
    last = raw.count(b"\n") + 1
    result.diagnostics = [d if d.line <= last else replace(d, line=last, column=1) for d in result.diagnostics]
    return result


def exact_depth_safe(text: str, limit: int, display: str, result: Loaded) -> bool:
    """True (and a Y008 diagnostic added, at the line where the limit is passed)
    if the exact depth is over the limit."""
    depth = exact_depth(text, limit)
    if depth.peak > limit:
        result.diagnostics.append(checks.make("Y008", display, depth.line, depth.column, limit=limit))
        return True
    return False


def _first_tag(raw: bytes) -> tuple[int, int]:
    """1-based line and column of the first explicit tag ("!!x" or "!x"), else (1, 1)."""
    match = re.search(rb"(?:^|[\s\[{,:-])(!)", raw)
    if not match:
        return 1, 1
    pos = match.start(1)
    return raw.count(b"\n", 0, pos) + 1, pos - (raw.rfind(b"\n", 0, pos) + 1) + 1


def _tag_of(exc: yaml.constructor.ConstructorError) -> str | None:
    match = re.search(r"tag '([^']*)'", exc.problem or "")
    return match.group(1) if match else None


def _yaml_detail(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return ", ".join(parts) or type(exc).__name__


def load_yaml(path: Path, display: str, limits: Limits = DEFAULT) -> Loaded:
    """Read and parse a YAML file (size checked before reading)."""
    raw, problem = read_bytes(path, display, limits.max_yaml_bytes)
    if problem is not None:
        return Loaded(display, diagnostics=[problem])
    assert raw is not None
    return load_yaml_bytes(raw, display, limits)


def locate(root: Node | None, path: Sequence[Any]) -> tuple[int, int]:
    """1-based (line, column) of the YAML node at ``path`` (keys and indices).

    Walks as deep as the path exists and returns the deepest node found, so a
    missing key points at the mapping that lacks it.
    """
    if root is None:
        return 1, 1
    node = root
    for step in path:
        nxt: Node | None = None
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == step:
                    nxt = v
                    break
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            nxt = node.value[step]
        if nxt is None:
            break
        node = nxt
    return node.start_mark.line + 1, node.start_mark.column + 1


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

_FLOW_MAX = 8


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    # Identifiers and labels stay plain for readability; everything else is a
    # JSON string, which is a valid YAML double-quoted scalar: unambiguous for
    # every text (colons, quotes, leading dashes ...).
    if _PLAIN.match(text) and text.lower() not in _YAML11_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")  # \Z: "$" would accept a final newline
# Words YAML 1.1 (PyYAML) would read as booleans or null.
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def _is_flat(d: Any) -> bool:
    return isinstance(d, dict) and len(d) <= _FLOW_MAX and all(
        not isinstance(v, (dict, list)) for v in d.values())


def _emit(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, dict) and v and _is_flat(v) and key in _FLOW_KEYS:
                lines.append(f"{pad}{key}: {_flow(v)}")
            elif isinstance(v, dict) and v:
                lines.append(f"{pad}{key}:")
                _emit(v, indent + 2, lines)
            elif isinstance(v, list) and v:
                lines.append(f"{pad}{key}:")
                _emit(v, indent + 2, lines)
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{key}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{key}: {_scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if _is_flat(item):
                lines.append(f"{pad}- {_flow(item)}")
            elif isinstance(item, dict):
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- {sub[0][indent + 2:]}"
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(f"{pad}{_scalar(value)}")


_FLOW_KEYS = {"trigger", "cue", "source", "published"}


def _flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in d.items()) + "}"


def dump_yaml(data: Any, header: str = "") -> str:
    """Annotation data as readable, deterministic YAML.

    Spans are written one per line as flow mappings, strings are always
    double-quoted; key order is kept.  Used by the tools that create files
    (``new``, passes made by annotators); tools that *edit* an existing file
    use ruamel.yaml round-trip instead, to keep comments.
    """
    lines: list[str] = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


def current_umask() -> int:
    """The process's umask (reading it means setting it: set it straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a folder of a live build is never removed)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep
    return True


def remove_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove this user's folders and files ``folder/<prefix><pid>-*`` whose process is gone
    (a killed build or validation cannot clean up after itself; the next run does).  Returns them."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-[\w.]+")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    getuid = getattr(os, "getuid", None)
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if getuid is not None and st.st_uid != getuid():
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
        else:
            continue
        removed.append(Path(entry.path))
    return removed


def write_atomic(path: Path, content: str | bytes, durable: bool = True, tmp_prefix: str | None = None) -> None:
    """Write a file so that readers see the old or the new content, never half.

    The content goes to a temporary file in the same folder, is flushed to
    disk (unless ``durable`` is False, for caches), then renamed over the
    target (rename is atomic on POSIX).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:  # keep the mode of the file replaced; a new file gets the usual 0666 & ~umask
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tmp_prefix or f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:  # a cache entry need not survive a power cut; a data file must
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
