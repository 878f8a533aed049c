"""The build's persistent cache (whole outputs, tokens and sentences of each text) and its
temporary folders.

A rebuild with a warm cache must give the same bytes as a build without one,
must not import spaCy, must recompute (never trust) an entry that is stale
or corrupt, and a killed build's temporary folders are removed by the next.
A rebuild whose inputs are all unchanged copies the stored output (checked
file by file) without loading the loading script.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from milcontacts import build as mbuild
from milcontacts.build import pipeline, reuse, tokens
from milcontacts.build.pipeline import SCRATCH_PREFIX, remove_stale
from milcontacts.build.script import load_script, script_path
from milcontacts.corpus.reader import ValidatedData

MINI = Path(__file__).resolve().parent / "data" / "mini_corpus"
DOC = "2017-02-16-exemple-dunford-guerassimov-bakou"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def entries(cache: Path) -> list[Path]:
    """The token cache's pack files."""
    return sorted((cache / "tokens").glob("*.pack"))


def rewrite(pack: Path, payload: bytes, key: str | None = None, digest_key: str | None = None) -> None:
    """Make ``pack`` hold one entry: ``payload`` under ``key`` (the pack's first key by default),
    recorded with the digest of ``digest_key`` (``key`` by default: a well-formed entry)."""
    from milcontacts.validate.cache import entry_digest

    magic, size, rest = pack.read_bytes().split(b"\n", 2)
    key = key or tokens.json.loads(rest[: int(size)])[0][0]
    head = tokens.json.dumps([[key, 0, len(payload), entry_digest(digest_key or key, payload)]]).encode()
    pack.write_bytes(magic + b"\n%d\n" % len(head) + head + payload)


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("uncached") / "out"
    mbuild.build(MINI, out, progress=False, jobs=1)
    return files_of(out)


def test_cached_builds_are_byte_identical_to_the_uncached_build(uncached: dict[str, bytes], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    mbuild.build(MINI, tmp_path / "cold", progress=False, jobs=1, cache_dir=cache)
    assert entries(cache), "the first build fills the token cache"
    mbuild.build(MINI, tmp_path / "warm", progress=False, jobs=1, cache_dir=cache)
    shutil.rmtree(cache / "builds")  # the tokens alone
    mbuild.build(MINI, tmp_path / "tokens", progress=False, jobs=1, cache_dir=cache)
    assert files_of(tmp_path / "cold") == uncached
    assert files_of(tmp_path / "warm") == uncached
    assert files_of(tmp_path / "tokens") == uncached
    shutil.rmtree(cache)  # safe to delete at any time
    mbuild.build(MINI, tmp_path / "deleted", progress=False, jobs=1, cache_dir=cache)
    assert files_of(tmp_path / "deleted") == uncached


def _sentences(cache_dir: Path) -> tuple[tokens.TokenCache, list[list[object]], object]:
    """The sentences of one mini document, through a TokenCache under ``cache_dir``."""
    script = script_path()
    module = load_script(script)
    corpus = ValidatedData(MINI)
    text = corpus.text(DOC)
    cache = tokens.TokenCache(cache_dir, script)
    doc = module.document_from_data(corpus.data(DOC), text, f"annotations/{DOC}.yaml", "train")
    doc.segmenter = cache.segmenter(module, tokens.hashlib.sha256(text.encode()).hexdigest())
    return cache, tokens.encode(doc, doc.sentences()), module.segment(doc)


@pytest.mark.parametrize("damage", ["truncated", "not json", "tokens outside the zone", "misfiled", "wrong shape"])
def test_a_corrupt_or_stale_entry_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    cache, expected, _ = _sentences(tmp_path)
    assert (cache.misses, cache.hits) == (1, 0)
    cache.flush()
    [pack] = entries(tmp_path)
    good = pack.read_bytes()
    if damage == "truncated":
        pack.write_bytes(good[: len(good) - 10])
    elif damage == "not json":
        rewrite(pack, b"{not json")
    elif damage == "tokens outside the zone":
        rewrite(pack, b"[[0, [[0, 1000000000]]]]")
    elif damage == "misfiled":  # the right payload, recorded for another key
        magic, size, rest = good.split(b"\n", 2)
        rewrite(pack, rest[int(size):], digest_key="0" * 64)
    else:
        rewrite(pack, b'{"sentences": "none"}')
    again, sentences, _ = _sentences(tmp_path)
    assert (again.misses, again.hits) == (1, 0), "a damaged entry is recomputed, never trusted"
    assert sentences == expected
    again.flush()
    assert len(entries(tmp_path)) == 2, "and written again"
    third, _, _ = _sentences(tmp_path)
    assert (third.misses, third.hits) == (0, 1), "the new copy wins"


def test_key_is_text_tokenizer_and_segmentation_inputs(tmp_path: Path) -> None:
    fp = tokens.tokenizer_fingerprint(script_path())
    base = tokens.segmentation_key("a" * 64, fp, [[0, 10]], [[2, 4]])
    assert base == tokens.segmentation_key("a" * 64, fp, [[0, 10]], [[2, 4]])
    assert base != tokens.segmentation_key("b" * 64, fp, [[0, 10]], [[2, 4]])  # another text
    assert base != tokens.segmentation_key("a" * 64, "0" * 64, [[0, 10]], [[2, 4]])  # another tokenizer
    assert base != tokens.segmentation_key("a" * 64, fp, [[0, 5], [5, 10]], [[2, 4]])  # other zones
    assert base != tokens.segmentation_key("a" * 64, fp, [[0, 10]], [[2, 5]])  # other name bounds
    changed = tmp_path / "script.py"
    changed.write_bytes(script_path().read_bytes() + b"\n# another segment()\n")
    assert tokens.tokenizer_fingerprint(changed) != fp  # the script sets the rules


def test_spacy_is_imported_only_for_texts_without_cached_tokens(tmp_path: Path) -> None:
    code = ("import sys; from milcontacts.build import build; "
            f"build({str(MINI)!r}, sys.argv[1], progress=False, jobs=1, cache_dir={str(tmp_path / 'cache')!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy')[:1])")

    def spacy_modules(out: str) -> str:
        shutil.rmtree(tmp_path / "cache" / "builds", ignore_errors=True)  # the token cache alone
        return subprocess.run([sys.executable, "-c", code, str(tmp_path / out)], capture_output=True, text=True,
                              timeout=300, check=True).stdout.strip()

    assert spacy_modules("cold") == "['spacy']"  # empty cache: every text is tokenized
    assert spacy_modules("warm") == "[]"  # warm cache: spaCy is never imported


def test_stale_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    stale = tmp_path / f"{SCRATCH_PREFIX}{int(dead.stdout)}-abc123"
    live = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def456"
    other = tmp_path / "milcontacts-build-cache-unrelated"
    for folder in (stale, live, other):
        (folder / "sub").mkdir(parents=True)
    assert remove_stale(tmp_path, SCRATCH_PREFIX) == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_nothing_left_behind_by_a_killed_build(tmp_path: Path) -> None:
    tmpdir, outdir = tmp_path / "tmp", tmp_path / "outs"
    tmpdir.mkdir()
    outdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    cmd = [sys.executable, "-m", "milcontacts", "build", str(MINI), "--out", str(outdir / "ds"), "--no-cache",
           "--jobs", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # wait until both temporary folders exist (the output one appears once validation is done)
        while not (list(tmpdir.glob(f"{SCRATCH_PREFIX}*")) and list(outdir.glob(".ds.tmp-*"))):
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert list(tmpdir.glob(f"{SCRATCH_PREFIX}*")) and list(outdir.glob(".ds.tmp-*"))
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    assert list(tmpdir.iterdir()) == []
    assert sorted(p.name for p in outdir.iterdir()) == ["ds"]


def test_unchanged_inputs_reuse_the_stored_output_without_the_loading_script(
        uncached: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = mbuild.build(MINI, tmp_path / "cold", progress=False, jobs=1, cache_dir=cache)

    def no_script(*_args: object) -> None:
        raise AssertionError("a rebuild of unchanged inputs loaded the loading script")

    monkeypatch.setattr(pipeline, "load_script", no_script)
    again = mbuild.build(MINI, tmp_path / "warm", progress=False, jobs=1, cache_dir=cache)
    assert files_of(tmp_path / "warm") == uncached
    assert (again.outputs, again.documents) == (first.outputs, first.documents)  # what the CLI prints


def test_every_input_of_the_build_is_part_of_the_output_key(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(MINI, root)
    script = script_path()
    base = reuse.output_key(root, script, 1000)
    assert base is not None
    assert reuse.output_key(MINI, script, 1000) == base  # the root's place does not matter
    assert reuse.output_key(root, script, 2000) != base  # the shard size
    other_script = tmp_path / "script.py"
    other_script.write_bytes(script.read_bytes() + b"\n")
    assert reuse.output_key(root, other_script, 1000) != base
    for relative in (f"annotations/{DOC}.yaml", f"corpus/{DOC}.txt", "splits.yaml", "annotations/kb.yaml"):
        path = root / relative
        saved = path.read_bytes()
        path.write_bytes(saved + b"\n")
        assert reuse.output_key(root, script, 1000) != base, relative
        path.write_bytes(saved)
    assert reuse.output_key(root, script, 1000) == base
    (root / "corpus" / "new.txt").write_text("x", encoding="utf-8")  # a new file anywhere it could be read
    assert reuse.output_key(root, script, 1000) != base


@pytest.mark.parametrize("damage", ["edited file", "missing file", "bad manifest", "path outside"])
def test_a_damaged_output_entry_is_discarded_and_the_build_runs_in_full(
        uncached: dict[str, bytes], tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    mbuild.build(MINI, tmp_path / "cold", progress=False, jobs=1, cache_dir=cache)
    [entry] = [p for p in (cache / "builds").iterdir() if not p.name.startswith(".")]
    card = entry / "README.md"
    if damage == "edited file":
        card.write_text(card.read_text(encoding="utf-8") + "edited", encoding="utf-8")
    elif damage == "missing file":
        card.unlink()
    elif damage == "bad manifest":
        (entry / reuse.MANIFEST).write_text("{not json", encoding="utf-8")
    else:
        manifest = reuse.json.loads((entry / reuse.MANIFEST).read_text(encoding="utf-8"))
        manifest["files"][0][0] = "../../outside.txt"
        (entry / reuse.MANIFEST).write_text(reuse.json.dumps(manifest), encoding="utf-8")
    mbuild.build(MINI, tmp_path / "warm", progress=False, jobs=1, cache_dir=cache)
    assert files_of(tmp_path / "warm") == uncached
    assert not (tmp_path / "outside.txt").exists()
    # the entry was replaced by the full build's
    restored = reuse.OutputCache(cache).restore(entry.name, tmp_path / "again", MINI)
    assert restored is not None and files_of(tmp_path / "again") == uncached


def test_only_the_most_recently_used_outputs_are_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for size in (10**6, 10**7, 10**8):  # three keys
        mbuild.build(MINI, tmp_path / f"out-{size}", max_shard_bytes=size, progress=False, jobs=1, cache_dir=cache)
    assert len([p for p in (cache / "builds").iterdir() if not p.name.startswith(".")]) == reuse.KEEP


def test_copies_of_corpus_files_are_read_from_the_corpus_and_checked(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(MINI, root)
    cache = tmp_path / "cache"
    mbuild.build(root, tmp_path / "out", progress=False, jobs=1, cache_dir=cache)
    [entry] = [p for p in (cache / "builds").iterdir() if not p.name.startswith(".")]
    assert not (entry / "data" / "corpus").exists()  # recorded, not copied
    # The corpus changes under a stored key (between the key and the copy): the entry is not used.
    text = root / "corpus" / f"{DOC}.txt"
    text.write_bytes(text.read_bytes() + b" ")
    assert reuse.OutputCache(cache).restore(entry.name, tmp_path / "into", root) is None
