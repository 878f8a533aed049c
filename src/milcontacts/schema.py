"""The JSON Schemas of the project and the enumerations they define.

``schema/annotation.schema.json`` is the single source of every enumeration
(zone, entity, mention, timex, event, role, modality, attribution types): the
rest of the code reads them from here rather than repeating them.

Validation uses ``jsonschema_rs`` (Rust) for the yes/no answer, which costs
next to nothing, and Python ``jsonschema`` only for files that fail, because
its errors carry the paths we map back to YAML lines (docs/performance.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

_HERE = Path(__file__).resolve().parent


def schema_dir() -> Path:
    """Where the schema files are: inside the wheel, or the repository's schema/."""
    for candidate in (_HERE / "schema", _HERE.parent.parent / "schema"):
        if (candidate / "annotation.schema.json").is_file():
            return candidate
    raise FileNotFoundError("schema/annotation.schema.json not found next to the package")


@lru_cache(maxsize=None)
def load(name: str = "annotation") -> dict[str, Any]:
    """The parsed schema ``schema/<name>.schema.json``."""
    with open(schema_dir() / f"{name}.schema.json", encoding="utf-8") as fh:
        return json.load(fh)


def enum(name: str) -> tuple[str, ...]:
    """The allowed values of ``$defs/<name>`` in the annotation schema."""
    return tuple(load("annotation")["$defs"][name]["enum"])


@dataclass(frozen=True)
class SchemaError:
    """A schema violation with the path of the offending value."""

    path: tuple[Any, ...]
    message: str


@lru_cache(maxsize=None)
def _registry() -> Any:
    from referencing import Registry, Resource

    resources = []
    for name in ("annotation", "kb"):
        schema = load(name)
        resources.append((schema["$id"], Resource.from_contents(schema)))
        resources.append((f"{name}.schema.json", Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def _fast(name: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency, but keep working without it
        return None
    if name != "annotation":  # cross-file $ref: kb.yaml is one file, Python is fine
        return None
    return jsonschema_rs.Draft202012Validator(load(name))


@lru_cache(maxsize=None)
def _slow(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load(name), registry=_registry())


def errors(instance: Any, name: str = "annotation") -> list[SchemaError]:
    """All schema errors of ``instance``, most specific first, deduplicated."""
    fast = _fast(name)
    rejected_by_fast = False
    if fast is not None:
        try:
            if fast.is_valid(instance):
                return []
            rejected_by_fast = True
        except (ValueError, TypeError, OverflowError):
            pass  # data Rust cannot represent (lone surrogates, huge ints): ask jsonschema
    found = list(_explain(_slow(name).iter_errors(instance)))
    if not found and rejected_by_fast:
        # The two validators disagree (e.g. on a regular expression's dialect): a file one of them
        # rejects is never accepted; say where the fast one saw the problem.
        found = [_fast_error(fast, instance)]
    return found


def _fast_error(fast: Any, instance: Any) -> SchemaError:
    """The first error of the Rust validator, as a SchemaError."""
    try:
        err = next(iter(fast.iter_errors(instance)))
        path = tuple(getattr(err, "instance_path", ()) or ())
        message = getattr(err, "message", str(err))
    except (StopIteration, ValueError, TypeError):
        path, message = (), "rejected by the schema"
    where = "/".join(str(p) for p in path) or "(top level)"
    return SchemaError(path, f"{where}: {_short(message)}")


def _explain(raw_errors: Iterator[Any]) -> Iterator[SchemaError]:
    from jsonschema.exceptions import best_match

    for err in sorted(raw_errors, key=lambda e: list(e.absolute_path)):
        if err.context:  # oneOf/anyOf: report the branch that came closest
            err = best_match(err.context)
        path = tuple(err.absolute_path)
        where = "/".join(str(p) for p in path) or "(top level)"
        yield SchemaError(path, f"{where}: {_short(err.message)}")


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
