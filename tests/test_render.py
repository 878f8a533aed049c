"""render: a self-contained page with every annotation in it, checked in a real browser.

The browser test needs Debian's ``chromium`` (``.ci/run`` installs it); where
it is missing the test is skipped with the command that enables it.
"""

from __future__ import annotations

import json

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.model import load_document
from milcontacts.render import marks, render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def all_ids(doc) -> set[str]:
    return {z.id for z in doc.zones} | {m.ann_id for m in marks(doc)}


def test_page_is_self_contained_and_lists_every_annotation(valid_root):
    doc = load_document(valid_root, "sample-doc")
    page = render_html(doc)
    assert "http://" not in page and "https://" not in page.replace("https://milcontacts", "")
    listed = set(re.findall(r'data-item="([^"]+)"', page))
    assert listed == all_ids(doc)
    inline = {i for group in re.findall(r'data-ann="([^"]+)"', page) for i in group.split()}
    assert inline == all_ids(doc)


def test_page_escapes_text(valid_root):
    doc = load_document(valid_root, "sample-doc")
    doc.meta["title"] = "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in render_html(doc)


def test_cli_refuses_invalid_document(valid_root, tmp_path, capsys):
    (valid_root / "annotations" / "sample-doc.yaml").write_text("entities: [\n", encoding="utf-8")
    assert main(["render", "sample-doc", str(valid_root), "--out", str(tmp_path / "x.html")]) == 1
    assert "Y001" in capsys.readouterr().err


def test_cli_json_names_the_problem_and_where(valid_root, tmp_path, capsys):
    (valid_root / "annotations" / "sample-doc.yaml").write_text("entities: [\n", encoding="utf-8")
    assert main(["render", "sample-doc", str(valid_root), "--out", str(tmp_path / "x.html"), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["file"], d["line"]) for d in report["diagnostics"]] == [
        ("Y001", "annotations/sample-doc.yaml", 2)]
    assert report["wrote"] == [] and not (tmp_path / "x.html").exists()
    assert not (tmp_path / "x.html").exists()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install chromium (.ci/run does it)")
def test_page_in_headless_chromium(repo, tmp_path):
    doc_id = "2015-09-19-afp-carter-choigou-syrie"  # the longest text, with comments and overlaps
    out = tmp_path / "page.html"
    assert main(["render", doc_id, str(repo), "--out", str(out)]) == 0
    common = FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "page.png"
    proc = subprocess.run([CHROMIUM, *common, "--enable-logging=stderr", "--v=0", "--window-size=1280,2000",
                           f"--screenshot={shot}", out.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    console_errors = [line for line in proc.stderr.splitlines()
                      if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
    assert console_errors == []
    dom = subprocess.run([CHROMIUM, *common, "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert 'data-ready="' in dom, "the page script did not run"
    doc = load_document(repo, doc_id)
    inline = {i for group in re.findall(r'data-ann="([^"]+)"', dom) for i in group.split()}
    assert all_ids(doc) <= inline
