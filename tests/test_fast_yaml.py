"""The fast YAML construction gives exactly PyYAML's data (values and types) on generated inputs.

io.load_yaml_bytes builds plain files from libyaml's nodes itself and hands
every other file to PyYAML's safe constructor; either way the data must be
what ``yaml.load(text, SafeLoader)`` gives.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milcontacts import io as yio

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Plain scalars whose type YAML 1.1 resolution decides (ints in every base, floats, bools, nulls, dates ...)
TRICKY = ["0", "00", "007", "0x1F", "0o17", "0b101", "1_000", "-12", "+3", "1e3", "1.5", ".5", "1.", "-.inf",
          ".NaN", "1:20", "190:20:30", "yes", "No", "ON", "off", "y", "n", "true", "False", "~", "null", "Null",
          "2021-01-01", "2021-1-1", "2001-12-14t21:59:43.10-05:00", "=", "<<", "a b", "é", "x1", "0.1.2"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False), st.text(max_size=12))
keys = st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(TRICKY))
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


def typed(value: Any) -> Any:
    """``value`` with every scalar paired with its type, so True and 1 (and 1.0) differ."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and value != value:
        return ("nan", float)
    return (value, type(value))


def same_as_pyyaml(text: str) -> None:
    try:
        expected = yaml.load(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, KeyError):
        return  # PyYAML refuses it: the validator reports a diagnostic instead (tested elsewhere)
    loaded = yio.load_yaml_bytes(text.encode("utf-8"), "gen.yaml")
    if loaded.ok:
        assert typed(loaded.data) == typed(expected), text


@SETTINGS
@given(data, st.booleans())
def test_dumped_data_reads_back_as_pyyaml_reads_it(value, flow):
    same_as_pyyaml(yaml.safe_dump({"root": value}, default_flow_style=flow, allow_unicode=True))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(TRICKY), st.sampled_from(TRICKY)), min_size=1, max_size=6,
                unique_by=lambda kv: kv[0]))
def test_plain_scalars_resolve_as_pyyaml_resolves_them(pairs):
    same_as_pyyaml("".join(f"{k}: {v}\n" for k, v in pairs))
    same_as_pyyaml("items:\n" + "".join(f"  - {v}\n" for _, v in pairs))
