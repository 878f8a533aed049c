"""The cache's storage (milcontacts.validate.cache.ParseCache): entries written together in packs.

A pack is read here by hand, from the format its docstring gives, so the
format is checked independently of the code that reads it.  Whatever is done
to a pack (garbage, truncation, a flipped byte, an entry filed under another
key, a header that lies), a lookup gives the stored data or None, never other
data, and a recomputed entry wins over the damaged one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from milcontacts.validate import cache as C


def read_pack(path: Path) -> list[tuple[str, bytes, str]]:
    """(key, payload, digest) of every entry of a pack, by the documented format."""
    blob = path.read_bytes()
    magic, rest = blob.split(b"\n", 1)
    assert magic + b"\n" == b"milcontacts-pack 1\n"
    size, rest = rest.split(b"\n", 1)
    index, payloads = json.loads(rest[: int(size)]), rest[int(size):]
    return [(key, payloads[offset:offset + length], digest) for key, offset, length, digest in index]


def write_pack(path: Path, entries: list[tuple[str, bytes, str]]) -> None:
    index, offset = [], 0
    for key, payload, digest in entries:
        index.append([key, offset, len(payload), digest])
        offset += len(payload)
    head = json.dumps(index).encode()
    path.write_bytes(b"milcontacts-pack 1\n%d\n" % len(head) + head + b"".join(p for _, p, _ in entries))


def digest(key: str, payload: bytes) -> str:
    return hashlib.sha256(key.encode() + b"\0" + payload).hexdigest()


def filled(folder: Path, n: int = 3) -> C.ParseCache:
    cache = C.ParseCache(folder, "kind")
    for i in range(n):
        cache.put(f"{i:064x}", {"entry": i, "text": "é"})
    cache.flush()
    return cache


def test_one_flush_writes_one_pack_in_the_documented_format(tmp_path: Path) -> None:
    filled(tmp_path, 3)
    [pack] = list((tmp_path / "kind").iterdir())
    written, sha = pack.name[: -len(".pack")].split("-")
    assert sha == hashlib.sha256(pack.read_bytes()).hexdigest() and len(written) == 20  # time-ordered, content-addressed
    entries = read_pack(pack)
    assert [k for k, _, _ in entries] == [f"{i:064x}" for i in range(3)]
    for key, payload, recorded in entries:
        assert recorded == digest(key, payload)
        assert json.loads(payload)["text"] == "é"
    fresh = C.ParseCache(tmp_path, "kind")  # another process: only the files
    assert [fresh.get(f"{i:064x}") for i in range(3)] == [{"entry": i, "text": "é"} for i in range(3)]
    assert fresh.get("f" * 64) is None


def test_entries_wait_for_flush_and_are_readable_meanwhile(tmp_path: Path) -> None:
    cache = C.ParseCache(tmp_path, "kind")
    cache.put("a" * 64, [1, 2])
    assert cache.get("a" * 64) == [1, 2]
    assert not (tmp_path / "kind").exists()  # nothing written before a flush
    cache.flush()
    cache.flush()  # nothing pending: no empty pack
    assert len(list((tmp_path / "kind").iterdir())) == 1


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "flipped byte", "lying header",
                                    "misfiled", "not json"])
def test_a_damaged_pack_gives_none_never_other_data(tmp_path: Path, damage: str) -> None:
    filled(tmp_path, 2)
    [pack] = list((tmp_path / "kind").iterdir())
    entries = read_pack(pack)
    if damage == "garbage":
        pack.write_bytes(b"{not a pack")
    elif damage == "empty":
        pack.write_bytes(b"")
    elif damage == "truncated":
        pack.write_bytes(pack.read_bytes()[:-5])
    elif damage == "flipped byte":
        blob = bytearray(pack.read_bytes())
        blob[-2] ^= 0x01
        pack.write_bytes(bytes(blob))
    elif damage == "lying header":  # offsets past the end of the file
        (k0, p0, d0), (k1, p1, d1) = entries
        head = json.dumps([[k0, 0, len(p0), d0], [k1, 10**6, len(p1), d1]]).encode()
        pack.write_bytes(b"milcontacts-pack 1\n%d\n" % len(head) + head + p0 + p1)
    elif damage == "misfiled":  # each key's payload (with its true digest) filed under the other key
        (k0, p0, d0), (k1, p1, d1) = entries
        write_pack(pack, [(k0, p1, d1), (k1, p0, d0)])
    else:
        write_pack(pack, [(k, b"{not json", digest(k, b"{not json")) for k, _, _ in entries])
    fresh = C.ParseCache(tmp_path, "kind")
    got = [fresh.get(f"{i:064x}") for i in range(2)]
    if damage in ("truncated", "flipped byte", "lying header"):  # only the last entry is hit
        assert got == [{"entry": 0, "text": "é"}, None]
    else:
        assert got == [None, None]
    # recomputed and written again: the new copy wins, in this process and the next
    fresh.put(f"{1:064x}", {"entry": 1, "text": "é"})
    fresh.flush()
    assert fresh.get(f"{1:064x}") == {"entry": 1, "text": "é"}
    assert C.ParseCache(tmp_path, "kind").get(f"{1:064x}") == {"entry": 1, "text": "é"}


def test_a_newer_copy_wins_over_an_older_well_formed_one(tmp_path: Path) -> None:
    cache = C.ParseCache(tmp_path, "kind")
    cache.put("a" * 64, {"shape": "unusable"})
    cache.flush()
    cache.put("a" * 64, {"shape": "good"})
    cache.flush()
    assert C.ParseCache(tmp_path, "kind").get("a" * 64) == {"shape": "good"}


def test_caches_merge_by_copying_their_files(tmp_path: Path) -> None:
    a, b = C.ParseCache(tmp_path / "a", "kind"), C.ParseCache(tmp_path / "b", "kind")
    a.put("a" * 64, "from a")
    b.put("b" * 64, "from b")
    a.flush()
    b.flush()
    merged = tmp_path / "merged" / "kind"
    merged.mkdir(parents=True)
    for folder in (tmp_path / "a" / "kind", tmp_path / "b" / "kind"):
        for pack in folder.iterdir():
            shutil.copyfile(pack, merged / pack.name)
    cache = C.ParseCache(tmp_path / "merged", "kind")
    assert (cache.get("a" * 64), cache.get("b" * 64)) == ("from a", "from b")


def test_a_running_process_sees_packs_written_by_another(tmp_path: Path) -> None:
    reader = C.ParseCache(tmp_path, "kind")
    assert reader.get("a" * 64) is None
    writer = C.ParseCache(tmp_path, "kind")
    writer.put("a" * 64, "new")
    writer.flush()
    assert reader.get("a" * 64) == "new"


def test_the_oldest_packs_beyond_the_limit_are_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "MAX_PACKS", 3)
    cache = C.ParseCache(tmp_path, "kind")
    for i in range(5):
        cache.put(f"{i:064x}", i)
        cache.flush()
    assert len(list((tmp_path / "kind").iterdir())) == 3
    fresh = C.ParseCache(tmp_path, "kind")
    assert [fresh.get(f"{i:064x}") for i in range(5)] == [None, None, 2, 3, 4]


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = C.ParseCache(blocker, "kind")
    cache.put("a" * 64, 1)
    cache.flush()  # no exception
    assert C.ParseCache(blocker, "kind").get("a" * 64) is None


def test_a_killed_runs_half_written_pack_is_removed_by_the_next_flush(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    folder = tmp_path / "kind"
    folder.mkdir()
    stale = folder / f"{C.TMP_PREFIX}{dead}-abc123.tmp"
    live = folder / f"{C.TMP_PREFIX}{os.getpid()}-def456.tmp"
    for path in (stale, live):
        path.write_bytes(b"milcontacts-pack 1\n12\n[[")
    filled(tmp_path, 1)
    assert not stale.exists() and live.exists()
    assert len(list(folder.glob("*.pack"))) == 1
