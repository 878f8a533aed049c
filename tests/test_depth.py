"""The nesting-depth limit is the project's own, whatever libyaml is installed.

``io.depth_bound`` decides, without parsing, whether a file can be handed to
libyaml's recursive composer; it must never be below the depth the composer
would reach, or a hostile file crashes the interpreter (libyaml 0.2.5) or is
reported as a syntax error instead of Y008 (libyaml 0.2.6 has a cap of its own).
The property tests measure the depth with PyYAML's pure-Python parser, an
implementation independent of the libyaml event stream the bound falls back to.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from milcontacts import io
from milcontacts.limits import Limits

SETTINGS = settings(max_examples=1000, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def reached_depth(text: str) -> int:
    """Deepest collection nesting PyYAML's pure-Python parser reaches before
    the end of the stream or its first error (the composer recurses as deep)."""
    depth = peak = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                peak = max(peak, depth)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except (yaml.YAMLError, ValueError, RecursionError):
        pass
    return peak


# Fragments chosen to hit every way a cheap scanner can misread YAML: quotes
# inside plain scalars, after tags and anchors, spanning lines; comments inside
# quoted scalars; block scalars; JSON-style keys; every YAML line break.
FRAGMENTS = ['"', "'", "#", " #", " ", "\n", "  ", "\t", "[", "]", "{", "}", ", ", ",", ": ", ":",
             "- ", "? ", "a", "x'y", "l'a", "!!str ", "&x ", "*x", "| \n", "> \n", "\\", "\r",
             "\u0085", "\u2028", '"a"', "'b'", "''", '\\"', "k: ", "[[", "]]"]


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    """A run of fragments with a deep flow collection spliced in, often as an
    item of an enclosing flow sequence (where a misread quote can hide it)."""
    soup = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
    deep = draw(st.integers(0, 40))
    nested = "[" * deep + "]" * deep
    if draw(st.booleans()):
        return f"{draw(soup)}k: [{draw(soup)}, {nested}, {draw(soup)}]{draw(soup)}\n"
    return draw(soup) + nested + draw(soup)


LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                 st.text(alphabet="ab '\"#[]{},:-\n\\é", max_size=12))
DATA = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                  st.dictionaries(st.text("kv", min_size=1, max_size=3), inner,
                                                                  max_size=4)),
                    max_leaves=25)


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """Real YAML, in random styles, with comments spliced in between lines."""
    text = yaml.safe_dump(draw(DATA), default_flow_style=draw(st.sampled_from([None, True, False])),
                          default_style=draw(st.sampled_from([None, '"', "'"])),
                          width=draw(st.sampled_from([8, 20, 80])), allow_unicode=True)
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(lines)))
        lines.insert(i, draw(st.sampled_from(["# c", "# it's [[", '  # "', "#'"])))
    return "\n".join(lines)


@SETTINGS
@given(token_soup())
@example('a: ["x\n #", ' + "[" * 70 + "]" * 71 + "\n")  # the ` #` inside a quoted scalar
@example("a: [x'y, " + "[" * 70 + "]" * 70 + ", 'z']\n")  # quotes inside plain scalars
@example("a: [x 'y, " + "[" * 70 + "]" * 70 + ", z']\n")
@example("a: [x\n 'y, " + "[" * 70 + "]" * 70 + ", z']\n")  # a plain scalar continued on the next line
@example("a: 1 #\rb: " + "[" * 70 + "]" * 70 + "\n")  # a comment ends at CR
@example("a: !!str 'x\n]]]]', " + "[" * 70 + "]" * 70 + "\n")
def test_bound_is_never_below_the_depth_reached_on_token_soup(text: str) -> None:
    assert io.depth_bound(text.encode("utf-8")) >= reached_depth(text)


@SETTINGS
@given(dumped())
def test_bound_is_never_below_the_depth_of_real_yaml(text: str) -> None:
    assert io.depth_bound(text.encode("utf-8")) >= reached_depth(text)


def test_the_bound_stays_cheap_on_the_corpus(repo) -> None:
    """The fallback to the exact count is for odd files, not for ours."""
    for path in sorted((repo / "annotations").glob("*.yaml")):
        raw = path.read_bytes()
        assert io.depth_bound(raw) <= Limits().max_depth, path.name


def test_hidden_brackets_are_refused_as_too_deep() -> None:
    """The issue's example: a ` #` inside a multi-line quoted scalar once hid 990 levels."""
    raw = b'a: ["x\n #", ' + b"[" * 990 + b"]" * 991 + b"\n"
    (diag,) = io.load_yaml_bytes(raw, "f.yaml").diagnostics
    assert (diag.code, diag.line) == ("Y008", 2)


def test_parser_cap_is_reported_as_too_deep(monkeypatch) -> None:
    """A libyaml that stops at its own nesting cap (0.2.6 and later) gives Y008,
    at the parser's line, not a syntax error: simulated here so the test does
    not depend on the libyaml version installed."""
    def capped(*_args, **_kwargs):
        yield yaml.StreamStartEvent()
        mark = yaml.Mark("f.yaml", 0, 2, 7, None, None)
        raise yaml.parser.ParserError("while increasing flow level", mark,
                                      "exceeded maximum nesting depth", mark)

    monkeypatch.setattr(io.yaml, "parse", capped)
    raw = b"x:\n  " + b"[" * 100 + b"]" * 100 + b"\n"
    (diag,) = io.load_yaml_bytes(raw, "f.yaml").diagnostics
    assert (diag.code, diag.line, diag.column) == ("Y008", 3, 8)


def test_a_quote_after_a_non_lf_line_break_is_never_misread():
    """NEL is a YAML 1.1 line break: the quoted scalar after it spans lines and
    holds the closing brackets, so the deep nesting after it is real."""
    text = "a: " + "[" * 30 + "\u0085\"x\u0085 " + "]" * 30 + " y\"\n  , " + "[" * 70 + "]" * 100 + "\n"
    assert io.depth_bound(text.encode("utf-8")) >= reached_depth(text)
