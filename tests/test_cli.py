"""The command line, in process through click's CliRunner: python -m search
index | query."""

import json
import re

import pytest

SUMMARY_LINE = re.compile(
    r"^(?P<added>\d+) added, (?P<updated>\d+) updated, (?P<removed>\d+) removed, "
    r"(?P<unchanged>\d+) unchanged, (?P<failed>\d+) failed\b"
)


def summary_counts(output):
    """The counts of the summary line, which ends the output."""
    match = SUMMARY_LINE.match(output.strip().splitlines()[-1])
    assert match, output
    return {name: int(value) for name, value in match.groupdict().items()}


def assert_one_line_error(result):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")


def test_index_prints_the_summary_line(runner, docs_copy, tmp_path, documents):
    result = runner(["index", "--docs", str(docs_copy), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert summary_counts(result.stdout) == {
        "added": len(documents),
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "failed": 0,
    }
    assert f"{len(documents)} documents in the index" in result.stdout


def test_index_run_again_reports_changes_since_the_last_run(runner, docs_copy, tmp_path, documents):
    args = ["index", "--docs", str(docs_copy), "--index", str(tmp_path / "index")]
    assert runner(args).exit_code == 0
    (docs_copy / "en" / "sports" / "city-marathon.txt").unlink()
    (docs_copy / "en" / "tech" / "snippet-sanitiser.txt").write_text("Sanitisers and escaping\n" * 3, "utf-8")
    result = runner(args)
    assert result.exit_code == 0, result.output
    assert summary_counts(result.stdout) == {
        "added": 0,
        "updated": 1,
        "removed": 1,
        "unchanged": len(documents) - 2,
        "failed": 0,
    }


def test_index_names_each_skipped_file_with_its_reason(runner, docs_copy, tmp_path, documents):
    (docs_copy / "broken").mkdir()
    (docs_copy / "broken" / "empty.txt").write_bytes(b"")
    (docs_copy / "broken" / "binary.txt").write_bytes(b"\x00\x01\x02\x03PK\x03\x04" * 64)
    result = runner(["index", "--docs", str(docs_copy), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2
    assert any(line.startswith("skipped broken/empty.txt: ") and "empty" in line for line in skipped)
    assert any(line.startswith("skipped broken/binary.txt: ") and "binary" in line for line in skipped)
    counts = summary_counts(result.stdout)
    assert (counts["added"], counts["failed"]) == (len(documents), 2)


@pytest.mark.parametrize(
    ("query", "first_id", "marked"),
    [
        ("انتخابات", "ar/politics/2024/parliament-elections.txt", "[الانتخابات]"),
        ("observer", "en/politics/election-observers.txt", "[observers]"),
    ],
)
def test_query_prints_the_ranked_results(runner, index_dir, query, first_id, marked):
    result = runner(["query", query, "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.match(r"^\d+ results? \(", lines[0])
    assert re.match(r"^\s*1\. \[(ar|en)\] ", lines[1])
    assert lines[2].strip() == first_id
    assert marked in result.stdout
    assert "<mark>" not in result.stdout


def test_query_with_no_match_prints_zero_results(runner, index_dir):
    result = runner(["query", "zqxwvy", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("0 results")


@pytest.mark.parametrize(
    ("args", "params"),
    [
        (["انتخابات"], {"q": "انتخابات"}),
        (["الاِنْتِخَابَات"], {"q": "الاِنْتِخَابَات"}),
        (["observer"], {"q": "observer"}),
        (['"election observers"'], {"q": '"election observers"'}),
        (["marathon reservoirs"], {"q": "marathon reservoirs"}),
        (["sanitiser"], {"q": "sanitiser"}),
        (["maraton"], {"q": "maraton"}),
        (["OSCE", "--lang", "ar"], {"q": "OSCE", "lang": "ar"}),
        (["انتخابات", "--limit", "2", "--page", "2"], {"q": "انتخابات", "per_page": "2", "page": "2"}),
    ],
)
def test_query_json_is_the_same_object_as_the_http_api(runner, index_dir, client, args, params):
    result = runner(["query", *args, "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    from_http = client.get("/search", query_string=params).get_json()
    assert isinstance(from_cli.pop("took_ms"), int | float)
    from_http.pop("took_ms")
    assert from_cli == from_http
    assert list(from_cli) == [key for key in from_http]


def test_bad_docs_folder_fails_with_a_one_line_error(runner, tmp_path):
    result = runner(["index", "--docs", str(tmp_path / "no-such-folder"), "--index", str(tmp_path / "index")])
    assert_one_line_error(result)
    assert "no-such-folder" in result.output


@pytest.mark.parametrize("index_name", ["missing", "empty"])
def test_query_without_an_index_fails_with_a_one_line_error(runner, tmp_path, index_name):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(runner(["query", "drought", "--index", str(tmp_path / index_name)]))


@pytest.mark.parametrize("text", ["", "   ", "drought\x01"])
def test_bad_query_text_fails_with_a_one_line_error(runner, index_dir, text):
    assert_one_line_error(runner(["query", text, "--index", str(index_dir)]))
