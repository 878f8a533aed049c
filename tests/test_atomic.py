"""Writing tools never leave a half-written file: failures and kills mid-way.

``new``, ``fix-offsets`` and ``build`` write through a temporary file or
folder and one rename (milcontacts.io.write_atomic, build's folder swap); an
interruption leaves the previous version intact.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from milcontacts import io as yio
from milcontacts.cli import main

DATA = Path(__file__).resolve().parent / "data"
ANN = "annotations/sample-doc.yaml"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_write_atomic_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old", encoding="utf-8")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(yio.os, "fsync", boom)
    with pytest.raises(OSError):
        yio.write_atomic(target, "new content")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_write_atomic_keeps_the_mode(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    yio.write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_fix_offsets_interrupted_before_the_rename(valid_root, monkeypatch):
    path = valid_root / ANN
    text = path.read_text(encoding="utf-8").replace("{start: 129, end: 138, text: Pentagone",
                                                    "{start: 131, end: 140, text: Pentagone")
    path.write_text(text, encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(yio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        from milcontacts.contribute import fix_file

        fix_file(path, None, check=False)
    assert path.read_text(encoding="utf-8") == text
    assert leftovers(path.parent) == []


def test_new_leaves_no_text_without_annotation(valid_root, tmp_path, monkeypatch, capsys):
    src = tmp_path / "in.txt"
    src.write_text("Le général Mark Milley.\n", encoding="utf-8")
    real = yio.write_atomic
    calls = []

    def fail_second(path, content):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("no space left on device")
        return real(path, content)

    monkeypatch.setattr(yio, "write_atomic", fail_second)
    assert main(["new", str(src), "--id", "doc-fails", str(valid_root)]) == 1
    assert "no space left on device" in capsys.readouterr().err
    assert not (valid_root / "corpus" / "doc-fails.txt").exists()
    assert not (valid_root / "annotations" / "doc-fails.yaml").exists()


def test_build_killed_mid_way_leaves_the_previous_build(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(DATA / "mini_corpus", root)
    out = tmp_path / "hf"
    assert main(["build", str(root), "--out", str(out)]) == 0
    old = snapshot(out)
    # change the data so that a completed new build would differ from the old one
    ann = next(p for p in sorted((root / "annotations").glob("*.yaml")) if p.name != "kb.yaml")
    lines = ann.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "# edited\n")
    ann.write_text("".join(lines), encoding="utf-8")

    proc = subprocess.Popen([sys.executable, "-m", "milcontacts", "build", str(root), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    landed = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if leftovers(tmp_path):  # the new folder is being written: kill now, mid-write
                landed = True
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert landed and proc.returncode == -signal.SIGKILL, "the kill did not land while the build was writing"
    # The folder is still the old build, whole; the half-written one is a leftover the next build removes.
    assert snapshot(out) == old, "half-written build folder"
    assert main(["build", str(root), "--out", str(out)]) == 0  # and the next build recovers
    assert set(snapshot(out)) == set(old) and snapshot(out) != old
