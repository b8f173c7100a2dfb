"""Command line: python -m search index | query | serve."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from . import config as settings


def _defaults() -> dict[str, Any]:
    return settings.from_environment()


@click.group()
def cli() -> None:
    """Bilingual Arabic/English full-text search."""


@cli.command()
@click.option("--docs", "docs_dir", type=click.Path(file_okay=False), help="Folder of documents [SEARCH_DOCS_DIR].")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Index folder [SEARCH_INDEX_DIR].")
@click.option("--rebuild", is_flag=True, help="Re-read every file and replace the index in one commit.")
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
def index(docs_dir: str | None, index_dir: str | None, rebuild: bool, quiet: bool) -> None:
    """Bring the index up to date with the docs folder (incremental)."""
    from .index import IndexBusy, IndexDiskFull, update_index

    defaults = _defaults()
    docs_dir = docs_dir or defaults["DOCS_DIR"]
    index_dir = index_dir or defaults["INDEX_DIR"]
    try:
        summary = update_index(
            docs_dir, index_dir, rebuild=rebuild, max_bytes=defaults["MAX_FILE_BYTES"], progress=not quiet
        )
    except (IndexBusy, IndexDiskFull, FileNotFoundError, PermissionError) as error:
        raise click.ClickException(str(error)) from None
    if not quiet:
        for doc_id, reason in summary.failed:
            click.echo(f"skipped {doc_id}: {reason}", err=True)
    click.echo(summary.line())


@cli.command()
@click.option("--docs", "docs_dir", type=click.Path(file_okay=False), help="Folder of documents [SEARCH_DOCS_DIR].")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Index folder [SEARCH_INDEX_DIR].")
@click.option("--quiet-seconds", default=2.0, show_default=True, help="Run once the folder is quiet this long.")
@click.option("--max-delay", default=30.0, show_default=True, help="Run at the latest this long after a change.")
def watch(docs_dir: str | None, index_dir: str | None, quiet_seconds: float, max_delay: float) -> None:
    """Index the docs folder, then keep the index up to date as files change."""
    import logging

    from .watch import watch as watch_folder

    defaults = _defaults()
    docs_dir = docs_dir or defaults["DOCS_DIR"]
    index_dir = index_dir or defaults["INDEX_DIR"]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    click.echo(f"watching {docs_dir} (Ctrl-C to stop)", err=True)
    try:
        watch_folder(docs_dir, index_dir, quiet_seconds, max_delay, max_bytes=defaults["MAX_FILE_BYTES"])
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@cli.command()
@click.argument("text")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Index folder [SEARCH_INDEX_DIR].")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 50), help="How many results.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results.")
@click.option("--lang", type=click.Choice(["ar", "en"]), help="Only documents in this language.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON object GET /search returns.")
@click.option("--exact", is_flag=True, help="Search the words as typed: no layout or typo rewrite.")
@click.option("--explain", is_flag=True, help="With --json: how each word was analysed and any rewrite.")
def query(
    text: str,
    index_dir: str | None,
    limit: int,
    page: int,
    lang: str | None,
    as_json: bool,
    exact: bool,
    explain: bool,
) -> None:
    """Search the index and print the ranked results."""
    from .deadline import Deadline, QueryTimeout
    from .engine import scoring, search
    from .index import IndexUnavailable, open_index
    from .query import BadRequest, parse_request
    from .renderer import search_json

    defaults = _defaults()
    params = {"q": text, "per_page": str(limit), "page": str(page), "lang": lang}
    params |= {"exact": "1" if exact else "0", "explain": "1" if explain else "0"}
    try:
        request = parse_request(params, defaults)
        ix = open_index(index_dir or defaults["INDEX_DIR"])
    except (BadRequest, IndexUnavailable) as error:
        raise click.ClickException(str(error)) from None
    with ix.searcher(weighting=scoring()) as searcher:
        try:
            response = search(
                searcher,
                request,
                deadline=Deadline(defaults["QUERY_DEADLINE_SECONDS"]),
                max_words=defaults["MAX_QUERY_TERMS"],
            )
        except (BadRequest, QueryTimeout) as error:
            raise click.ClickException(str(error)) from None
    data = search_json(response, request)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if data["rewrite"]:
        rewrite = data["rewrite"]
        click.echo(f"showing results for {rewrite['to']} ({rewrite['reason']}); ", nl=False)
        click.echo(f"search instead for {rewrite['from']} with --exact")
    elif data["suggestion"]:
        click.echo(f"did you mean: {data['suggestion']}")
    click.echo(f"{data['total']} results ({data['took_ms']} ms)")
    for rank, result in enumerate(data["results"], (page - 1) * limit + 1):
        click.echo(f"{rank:>3}. [{result['lang']}] {result['title']}  ({result['score']})")
        click.echo(f"     {result['id']}")
        click.echo(f"     {_plain(result['snippet'])}")


def _plain(snippet: str) -> str:
    from html import unescape

    return unescape(snippet.replace("<mark>", "[").replace("</mark>", "]"))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the development server (use gunicorn in production)."""
    from . import create_app

    create_app().run(host=host, port=port, debug=False)


def main() -> NoReturn:
    """Run the command line; click exits with its status (standalone mode)."""
    cli.main(prog_name="python -m search")


if __name__ == "__main__":
    sys.exit(main())
