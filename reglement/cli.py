"""The `reglement` command.

Exit status, as the CLI contract fixes it: 0 no finding at or above `--fail-on`,
1 such findings, 2 the run could not be done (bad rule, bad or missing data, bad
arguments, a rule that could not run). Problems are printed as `file:line:col`
messages; a Python traceback is never shown (set REGLEMENT_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .checker import engines
from .checker.stop import Stopped, raise_if_stopped
from .checker.stop import install as install_stop
from .compiler.config_sources import DEFAULT_DSN_ENV
from .compiler.diagnostics import UserError, plural
from .compiler.model import SEVERITIES
from .compiler.zones import MOMENT, audit_moment
from .files import WriteError, check_destination
from .guards import inputs_of, refuse_careless
from .outputs import FORMATS, StandardOutput, discard, emit, json_text, outputs
from .rules import default_pack, pack_folder, packs_of
from .schemas import NAMES as SCHEMA_NAMES
from .selection import Selection, names

if TYPE_CHECKING:
    from .checker.intake import Data
    from .compiler.config import Config
    from .compiler.model import Pack, Rule


class UsageError(UserError):
    """Bad arguments: exit 2 with the message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit itself; keep one exit path
        raise UsageError(f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        moment = " (this command takes an audit date, without a time of day)" if MOMENT.fullmatch(text) else ""
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD){moment}") from None


def _moment(text: str) -> str:
    """`--as-of` as written: a date or a moment, read in the audit's zone once the pack is compiled."""
    if not MOMENT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD) or a date and time "
                                         "(YYYY-MM-DDTHH:MM[:SS], with an offset such as +01:00 or Z, or without)")
    return text


def audit_moment_of(args: argparse.Namespace, pack: Pack, config: Config) -> dt.datetime:
    """`--as-of` as the wall clock of the audit's zone (today's start there without it); a wall clock the zone
    skips, or a day that does not exist, is a usage error."""
    try:
        return audit_moment(args.as_of, config.zone(pack))
    except ValueError as err:
        raise UsageError(f"reglement {args.command}: --as-of {err}") from None


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable | None]:
    """A progress line per phase (read and validate, rules, report) on a terminal; nothing at all
    when stderr is not one."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, int] = {}

        def advance(phase: str, done: int, total: int, detail: str = "") -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], total=total, completed=done,
                       description=f"{phase}: {detail}" if detail else phase)

        yield advance


def cmd_check(args: argparse.Namespace) -> int:
    from .checker.audit import Settings, audited
    from .checker.chain import read_previous, signature_path, signer
    from .checker.report import build_report
    from .compiler.stages import compile_pack

    targets = outputs(args.output, args.format)
    signed = [o.path for o in targets if o.format == "json" and o.path is not None]
    if args.sign and not signed:
        raise UsageError("reglement check: --sign needs a JSON report written to a file (-o report.json "
                         "--format json, or -o json=report.json): the signature is written beside it")
    if args.previous_key and not args.previous:
        raise UsageError("reglement check: --previous-key checks the signature of the report given with --previous")
    sign = (signer(args.sign), signature_path) if args.sign else None  # a key that cannot sign stops the run now
    inputs = inputs_of(args.data, args.rules, args.config, args.reviews, args.baseline, args.previous, args.sign,
                       args.previous_key)
    signatures = [signature_path(path) for path in signed] if sign else []
    reports = [o.path for o in targets if o.path is not None]
    refuse_careless([*reports, *signatures, args.spill_dir], inputs, args.fail_on_new, args.baseline)
    for path in [*reports, *signatures]:  # a link, a folder, a FIFO, a device: refused before the audit runs
        check_destination(path, inputs, "the signature" if path in signatures else "the report")
    pack, config = compile_pack(args.rules, args.config)
    moment = audit_moment_of(args, pack, config)
    args.as_of = moment.date()
    config = _reviewed(config, pack, args)
    if args.data is None and config.sources is None:
        raise UsageError("reglement check: give --data, or map the datasets to database tables in --config "
                         "(sources:)")
    chosen = Selection(names(args.select or ""), names(args.skip or ""), pack)
    chosen.check(pack)
    rules = tuple(r for r in pack.rules if chosen.keeps(r.id, r.regulation, r.article))
    if not args.quiet:
        _say_unjudged(pack, rules)
    settings = Settings(args.engine, args.memory_limit, args.spill_dir, args.plan, args.spark_master, config.sources)
    data = _data(args, pack, config)
    previous, chained = read_previous(args.previous, args.previous_key) if args.previous else (None, None)
    if args.previous and not args.previous_key and not args.quiet and Path(f"{args.previous}.sig").exists():
        print(f"reglement: {args.previous}.sig was not checked: the previous report is trusted as it is and its "
              "findings are carried; give --previous-key KEY.pub to check it first", file=sys.stderr)
    rules = tuple(r for r in pack.rules if chosen.keeps(r.id, r.regulation, r.article))
    with _progress(sys.stderr.isatty() and not args.quiet) as progress:
        with audited(pack, config, data, moment, settings, progress, rules, previous, args.lang,
                     args.full) as audit:
            if progress:
                progress("report", 0, 1, ", ".join(o.format for o in targets))
            report = build_report(audit, args.lang, chained, chosen.keeps)
            if chosen:
                report["selection"] = {"select": list(chosen.select), "skip": list(chosen.skip)}
            if args.baseline:
                from .checker.baseline import apply_baseline, read_baseline

                report = apply_baseline(report, read_baseline(args.baseline))
            # the keys' order is still being counted: confirmed once the reports (and their signatures) are written,
            # before they show
            write_report(report, args.lang, targets, args, audit.confirm, inputs, sign)
        if progress:
            progress("report", 1, 1, ", ".join(o.format for o in targets))
    _say_absent(data, rules, pack)
    status = exit_status(report, args.fail_on, args.fail_on_new)
    return 0 if args.exit_zero and status == 1 else status


def _say_absent(data: Data, rules: tuple[Rule, ...], pack: Pack) -> None:
    """Each dataset that rules read but neither the export folder nor the configuration's mapping gives, said on
    stderr once the report is written (even with --quiet: those rules could not run, and the exit status is 2)."""
    for dataset in sorted({d for r in rules for d in r.datasets if d in pack.contract} - set(data.sources)):
        count = sum(dataset in r.datasets for r in rules)
        _say(f"reglement: {count} rule{'s' if count != 1 else ''} cannot run: {data.why_missing(dataset)}")


def _say_unjudged(pack: Pack, rules: tuple[Rule, ...] | None = None) -> None:
    """On stderr, the declarations of the contract no rule of the pack judges (the compiler's warning), and those
    that the chosen `rules` leave unjudged although the pack judges them: a row that breaks one passes unseen."""
    from .compiler.contract_rules import left_out, unjudged_warning

    for said in (unjudged_warning(pack), left_out(pack, rules) if rules is not None else None):
        if said:
            _say(f"reglement: {said}")


def _reviewed(config: Config, pack: Pack, args: argparse.Namespace) -> Config:
    """The configuration with every review it holds and `--reviews` adds, checked against the audit date."""
    from dataclasses import replace

    from .compiler.reviews import load

    if args.reviews is None and not config.reviews:
        return config
    return replace(config, reviews=load(args.reviews, config.reviews, pack, args.as_of))


def _data(args: argparse.Namespace, pack: Pack, config: Config) -> Data:
    """What the audit reads: the export folder's files (CSV read with --csv-separator and --encoding, where
    given) and the tables the configuration maps."""
    from .checker.intake import folder_sources, tables_only
    from .checker.intake.csv_dialect import CsvOptions

    if args.data is None:
        if config.sources.files:
            raise UsageError("reglement check: the configuration maps datasets to files (sources: with file:), "
                             "which are named relative to the export folder: give it with --data")
        return tables_only(config.sources)
    return folder_sources(args.data, pack.contract, CsvOptions(args.csv_separator, args.encoding), config.sources)


def write_report(report: dict, lang: str, targets: list, args: argparse.Namespace,
                 confirm: Callable[[], None] = lambda: None, inputs: Collection[Path] = (),
                 sign: tuple[Callable[[bytes], str], Callable[[Path], Path]] | None = None) -> None:
    """Every output asked for (and, with `sign`, the signature of each JSON report), all put in place or none,
    never over one of `inputs`; shown only once `confirm` returns (an audit's key order: see cmd_check); what
    SARIF leaves out is said on stderr."""
    from .checker.formats import writer

    options = {"sarif": {"max_results": args.sarif_max_results}} if args.sarif_max_results else {}
    emit([(o, lambda out, fmt=o.format: writer(fmt, **options.get(fmt, {}))(report, lang, out)) for o in targets],
         confirm, inputs, sign)
    if any(o.format == "sarif" for o in targets) and not args.quiet:
        from .checker.formats.sarif import MAX_RESULTS, cap_notice

        notice = cap_notice(report, args.sarif_max_results or MAX_RESULTS)
        if notice:
            print(f"reglement: {notice}", file=sys.stderr)


def cmd_render(args: argparse.Namespace) -> int:
    """A JSON report written again in another format (or several), without running the audit."""
    from .checker.baseline import read_report

    report = read_report(args.report, "report")
    write_report(report, args.lang or report.get("lang", "nl"), outputs(args.output, args.format), args,
                 inputs=(args.report,))
    return 0


def cmd_worklist(args: argparse.Namespace) -> int:
    """The findings of a JSON report still awaiting review, as an XLSX workbook to fill in (`worklist.py`); never
    over the report or the reviews read, put in place whole."""
    from .checker.baseline import read_report
    from .compiler.reviews import load
    from .compiler.stages import load_pack
    from .files import write_file
    from .worklist import awaiting, workbook

    inputs = [p for p in (args.report, args.reviews) if p is not None]
    check_destination(args.output, inputs, "the worklist")
    if args.output.suffix.lower() != ".xlsx":
        raise UsageError(f"reglement worklist: the worklist is an XLSX workbook: name it *.xlsx, not {args.output}")
    report = read_report(args.report, "report")
    pack = load_pack(pack_folder(args.rules) if args.rules else default_pack())
    as_of = dt.date.fromisoformat(report["as_of"])
    reviews = load(args.reviews, (), pack, as_of) if args.reviews is not None else ()
    rows = awaiting(report, pack, reviews)
    write_file(args.output, workbook(rows, args.lang or report.get("lang", "nl")), what="the worklist",
               inputs=inputs)
    print(f"wrote {args.output}: {plural(len(rows), 'finding')} awaiting review")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """The pack's rules and controls: id, kind, article, severity, datasets."""

    from .compiler.model import regulation_field
    from .compiler.stages import load_pack

    pack = load_pack(pack_folder(args.rules) if args.rules else default_pack())
    _say_unjudged(pack)
    items = [{"id": r.id, "kind": "automated", "article": r.article, **regulation_field(r.regulation),
              "severity": r.severity, "datasets": list(r.datasets), "title": r.title.as_dict()} for r in pack.rules]
    items += [{"id": c.id, "kind": "manual", "article": c.article, **regulation_field(c.regulation), "severity": None,
               "datasets": [], "title": c.title.as_dict()} for c in pack.controls]
    if args.format == "json":
        print(json_text({"pack": pack.name, "version": pack.version, "rules": items}))
        return 0
    width = max(len(i["id"]) for i in items) if items else 0
    cited = [pack.citation(i.get("regulation", ""), i["article"]) or i["article"] for i in items]
    wide = max(6, *map(len, cited)) if items else 6
    for item, clause in zip(items, cited):
        print(f"{item['id']:<{width}}  {clause:<{wide}} {item['severity'] or 'manual':<9} "
              f"{', '.join(item['datasets']) or '—'}")
    print(f"{plural(len(pack.rules), 'rule')} and {plural(len(pack.controls), 'manual control')} in {pack.name} "
          f"{pack.version}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """The examples of each pack named (a folder, or a file of the pack: see `packs_of`); the default pack
    when none is named. A pack that does not compile is said, and the others are still tested."""
    from .checker.formats.controls import visible

    folders = packs_of(args.paths) if args.paths else [default_pack()]
    if not folders:
        print("no rule pack among the files given: nothing to test")
        return 0
    status = 0
    for folder in folders:
        if len(folders) > 1:
            print(f"== {folder}")
        try:
            status = max(status, _test_pack(folder, args.engine))
        except UserError as err:  # the pack's compile errors, each at its file:line:col
            print(visible(err.render(), keep="\t\n"), file=sys.stderr)
            status = 2
    return status


def _test_pack(folder: Path, engine: str) -> int:
    """Each rule of the pack with its examples, each example run on every engine asked for; the closing line
    counts rules and examples (an example passes when it passes on every engine)."""
    from .checker.examples import rules_without_examples, run_example
    from .compiler.stages import load_pack

    pack = load_pack(pack_folder(folder))
    _say_unjudged(pack)
    on = engines.embedded() if engine == "all" else (engine,)
    unproved = set(rules_without_examples(pack))
    bad = examples = 0
    for rule in pack.rules:
        runs = [run_example(pack, rule, i, on) for i in range(len(rule.examples))]
        failed = [r for outcomes in runs for r in outcomes if not r.passed]
        examples += len(runs)
        bad += sum(1 for outcomes in runs if not all(r.passed for r in outcomes))
        mark = "FAIL" if failed or rule.id in unproved else "PASS"
        print(f"{mark}  {rule.id}  ({plural(len(runs), 'example')})")
        for r in failed:
            detail = r.error or f"expected {list(r.expected)}, got {list(r.got)}"
            print(f"        [{r.engine}] {r.note}: {detail}")
        if rule.id in unproved:
            print("        needs an example that is flagged and one that is not")
    print(f"{plural(len(pack.rules), 'rule')}, {plural(examples, 'example')}: {examples - bad} passed, {bad} failed "
          f"(run on {' and '.join(on)})")
    if unproved:
        print(f"{plural(len(unproved), 'rule')} without examples on both sides of their boundary")
    return 1 if bad or unproved else 0


def cmd_coverage(args: argparse.Namespace) -> int:

    from .checker.report import coverage
    from .compiler.stages import load_pack

    pack = load_pack(pack_folder(args.rules) if args.rules else default_pack())
    cover = coverage(pack)
    if args.format == "json":
        print(json_text({"pack": pack.name, "clauses": cover}))
    else:
        for article in pack.articles:
            cited = pack.citation(article.regulation, article.number) or f"Artikel {article.number}"
            print(f"{cited} — {article.title.nl}")
            for clause in article.clauses:
                covered = ", ".join(cover[pack.ref(article.regulation, clause.number)]) or "UNCOVERED"
                print(f"  {clause.number:<6} {covered}")
        uncovered = [c for c, ids in cover.items() if not ids]
        print(f"{len(cover) - len(uncovered)} of {plural(len(cover), 'clause')} covered")
    return 1 if any(not ids for ids in cover.values()) else 0


def cmd_verify(args: argparse.Namespace) -> int:
    verdicts, lines = _verified(args, "verify")
    print("\n".join(lines))
    return 1 if any(v.broken for v in verdicts) else 0


def _verified(args: argparse.Namespace, command: str) -> tuple[list, list[str]]:
    """The chain's verdicts (`chain.verify` of `args.reports`, with `args.public_key` and `args.head`) and the
    lines `reglement verify` prints of them: one per file, then what they come to."""
    from .checker.chain import verify
    from .checker.formats.controls import visible

    verdicts = verify(args.reports, args.public_key, args.head)
    read = [v for v in verdicts if not v.passed_over]
    if not read:
        passed = "; ".join(f"{v.path}: {v.notes[0]}" for v in verdicts[:3]) + ("; …" if len(verdicts) > 3 else "")
        raise UsageError(f"reglement {command}: no report found in " + ", ".join(map(str, args.reports))
                         + (f" (passed over: {passed})" if verdicts else ""))
    chain = [v for v in verdicts if v.sha256]  # the reports, in order; the rest are files that are none
    broken = [v for v in verdicts if v.broken]
    if broken:
        summary = f"{len(broken)} broken, first {broken[0].path}"
    elif args.head:
        summary = f"the chain holds and ends at the head given ({chain[-1].path})"
    else:
        summary = (f"the chain holds; its head {chain[-1].path} has sha256 {chain[-1].sha256}: keep it outside the "
                   "folder and give it as --head next time")
    others, skipped = len(read) - len(chain), len(verdicts) - len(read)
    files = f" and {plural(others, 'file that is', 'files that are')} none" if others else ""
    passed_over = f"; {skipped} passed over (SKIP)" if skipped else ""
    closing = visible(f"{plural(len(chain), 'report')}{files}: {summary}{passed_over}")
    return verdicts, [*(v.line() for v in verdicts), closing]


PERIOD_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".json": "json"}


def cmd_period(args: argparse.Namespace) -> int:
    """The figures of a chain of reports over its period (`checker/period.py`), only once the chain holds as
    `verify` checks it: a broken chain is said as verify says it, exit 2, and nothing is written."""
    from .checker.chain import reports_in, signature_path
    from .checker.chain_read import held
    from .checker.formats import period_writer
    from .checker.period import figures
    from .outputs import Output

    fmt = args.format or (PERIOD_SUFFIXES.get(args.output.suffix.lower()) if args.output else "markdown")
    if fmt is None:
        raise UsageError(f"reglement period: cannot tell the format from {args.output} (.html, .md or .json): "
                         "give --format html|markdown|json")
    found = [path for path, _ in reports_in(args.reports)]
    inputs = {Path(p).resolve() for p in [*found, *map(signature_path, found), args.public_key] if p is not None}
    if args.output is not None:
        refuse_careless([args.output], inputs, False, None, "period")
        check_destination(args.output, inputs, "the period report")
    verdicts, lines = _verified(args, "period")
    if any(v.broken for v in verdicts):
        raise UsageError("\n".join([*lines, "reglement period: the chain does not hold (reglement verify says the "
                                          "same): no period report was written"]))
    numbers = figures(held(verdicts))
    write = period_writer(fmt)
    emit([(Output(fmt, args.output), lambda out: write(numbers, args.lang or numbers["lang"], out))],
         inputs=inputs)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .init import init_pack

    try:
        written = init_pack(args.folder, args.name or args.folder.name)
    except FileExistsError as err:
        raise UsageError(f"reglement init: {err}") from None
    print("\n".join(f"wrote {path}" for path in written))
    print(f"next: reglement test {args.folder}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """The JSON Schemas of rule files, packs, configurations, contracts and reports: each one's `$id` and file
    in the installed package; with a name, the schema itself (or, with --path, its file)."""
    from . import schemas

    if args.name is None:
        for name in schemas.NAMES:
            print(f"{name:<9} {schemas.schema_id(name)}  {schemas.path(name)}")
    elif args.path:
        print(schemas.path(args.name))
    else:
        sys.stdout.write(schemas.path(args.name).read_text("utf-8"))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .datasets.generate import MIN_CLIENTS, generate

    if args.clients < MIN_CLIENTS:
        raise UsageError(f"reglement generate: --clients must be at least {MIN_CLIENTS} to plant every rule, "
                         f"got {args.clients}")
    if args.partition and args.format != "parquet":
        raise UsageError("reglement generate: --partition month needs --format parquet")
    summary = generate(args.out, clients=args.clients, seed=args.seed, fmt=args.format, as_of=args.as_of,
                       events_per_client=args.events_per_client, access_log_partitions=args.partition,
                       rates=args.rates, ground_truth=not args.no_ground_truth)
    rows = summary.get("rows", {})
    print(f"wrote {plural(len(rows), 'dataset')} to {args.out}: {plural(sum(rows.values()), 'row')}; ground truth in "
          f"{Path(args.out) / 'ground_truth.json'}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from .api import UnknownRule
    from .explain import explain

    if (args.data is None) != (args.key is None):
        raise UsageError("reglement explain: --data and --key go together")
    try:
        text = explain(pack_folder(args.rules) if args.rules else default_pack(), args.rule_id, args.dialect,
                       args.as_of, args.config, args.data, args.key, args.lang)
    except (UnknownRule, ValueError) as err:
        raise UsageError(f"reglement explain: {err.args[0] if err.args else err}") from None
    sys.stdout.write(text)
    return 0


def exit_status(report: dict, fail_on: str, only_new: bool = False) -> int:
    """2 when a rule could not run; 1 when a finding that fails (confirmed by a review, or neither reviewed nor
    waived) reaches `fail_on`, counted in bulk."""
    from .checker.findings import Findings

    if report["summary"]["errors"]:
        return 2
    threshold = SEVERITIES.index(fail_on)
    for rule in report["rules"]:
        if rule["status"] != "failed" or SEVERITIES.index(rule["severity"]) < threshold:
            continue
        found = Findings.of(rule["findings"])
        if found.count("new", open_only=True) if only_new else found.open_count:
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reglement", description="Privacy regulations as code: check data exports rule by article.")
    parser.add_argument("--version", action="version", version=f"reglement {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="audit an export folder against a rule pack")
    check.add_argument("--rules", type=Path, default=None, help="rule pack folder (default: the Westendorp pack)")
    check.add_argument("--data", type=Path, help="export folder, one file per dataset (optional when --config maps "
                                                 "every dataset to a database table)")
    check.add_argument("--as-of", type=_moment, help="audit date YYYY-MM-DD, or moment YYYY-MM-DDTHH:MM[:SS] (an "
                                                     "offset such as +01:00 or Z allowed), in the pack's or "
                                                     "configuration's time_zone (default: today there)")
    check.add_argument("--config", type=Path, help="the organisation's parameters, attestations and waivers, and "
                                                   "(sources:) the datasets read from PostgreSQL tables instead of "
                                                   "--data; the DSN is read from the environment variable "
                                                   f"{DEFAULT_DSN_ENV} (or the one sources.postgres.dsn_env names)")
    check.add_argument("--reviews", type=Path, metavar="FILE", help="verdicts on findings (justified, violation, "
                                                                     "false_positive): a .yaml, .csv or .xlsx file")
    _output_options(check)
    check.add_argument("--csv-separator", type=_separator, metavar="SEP",
                       help="the separator of the CSV files: , ; tab or | (default: read from each header line)")
    check.add_argument("--encoding", type=_encoding, metavar="NAME",
                       help="the encoding of the CSV files, e.g. windows-1252 (default: UTF-8 when the bytes are, "
                            "else windows-1252)")
    check.add_argument("--select", metavar="IDS", help="only these rules, articles or clauses, e.g. 5,7.1")
    check.add_argument("--skip", metavar="IDS", help="leave out these rules, articles or clauses")
    check.add_argument("--fail-on", choices=SEVERITIES, default="low", help="lowest severity that fails the run")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings reach --fail-on "
                                                                "(2 still means the run could not be done)")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress, no notes on stderr; errors only")
    check.add_argument("--lang", choices=("nl", "en"), default="nl", help="language of titles and messages")
    check.add_argument("--engine", choices=engines.names(), default="duckdb",
                       help="where the rules run: DuckDB, pandas, Spark (reads the files itself), or inside "
                            "PostgreSQL (the datasets that --config maps to its tables)")
    check.add_argument("--spark-master", default="local[*]", metavar="URL",
                       help="with --engine spark: the Spark master (default local[*]; spark://host:7077 for a cluster)")
    check.add_argument("--memory-limit", metavar="SIZE", help="DuckDB's memory limit, e.g. 2GB (default: DuckDB's "
                                                              "own); beyond it DuckDB spills to a temporary folder")
    check.add_argument("--plan", choices=("fused", "plain"), default="fused",
                       help="fused (default): checks that only look rows up share one scan; plain: each check alone")
    check.add_argument("--spill-dir", type=Path, help="where DuckDB spills with --memory-limit (default: a new "
                                                      "temporary folder, removed afterwards)")
    check.add_argument("--baseline", type=Path, help="a previous JSON report: mark findings new, open or resolved")
    check.add_argument("--fail-on-new", action="store_true", help="with --baseline: exit 1 only for new findings")
    check.add_argument("--previous", type=Path, help="the previous JSON report of this chain: its sha256 and audit "
                                                     "date are recorded (see reglement verify), and only what is "
                                                     "new since is read; its findings of the rest are carried")
    check.add_argument("--previous-key", type=Path, metavar="KEY",
                       help="with --previous: an ed25519 public key (PEM); the previous report's signature "
                            "(<previous>.sig) must hold before its findings are carried")
    check.add_argument("--full", action="store_true", help="with --previous: still run every rule in full")
    check.add_argument("--sign", type=Path, metavar="KEY", help="sign the report with this ed25519 private key "
                                                                "(PEM); writes <output>.sig")
    check.set_defaults(run=cmd_check)

    render = sub.add_parser("render", help="write a JSON report again in another format, without auditing")
    render.add_argument("report", type=Path, metavar="REPORT", help="a JSON report of reglement check")
    _output_options(render)
    render.add_argument("--lang", choices=("nl", "en"), help="language of the labels (default: the report's)")
    render.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr; errors only")
    render.set_defaults(run=cmd_render)

    worklist = sub.add_parser("worklist", help="the findings of a JSON report still awaiting review, as an XLSX "
                                               "workbook to fill in and give back as check --reviews")
    worklist.add_argument("report", type=Path, metavar="REPORT", help="a JSON report of reglement check")
    worklist.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                          help="the workbook to write (.xlsx; atomically, never over the report)")
    worklist.add_argument("--reviews", type=Path, metavar="FILE",
                          help="reviews given since the report (.yaml, .csv or .xlsx): their findings are left out")
    worklist.add_argument("--lang", choices=("nl", "en"), help="language of the sheet and its headers (default: the "
                                                               "report's)")
    worklist.add_argument("--rules", type=Path, default=None, help="the report's rule pack folder or name (default: "
                                                                   "the Westendorp pack)")
    worklist.set_defaults(run=cmd_worklist)

    rules = sub.add_parser("rules", help="list the rules and controls of a pack: ids, articles, severities, datasets")
    rules.add_argument("--rules", type=Path, default=None, help="rule pack folder or name (default: Westendorp)")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")
    rules.set_defaults(run=cmd_rules)

    test = sub.add_parser("test", help="run the examples embedded in a rule pack")
    test.add_argument("paths", nargs="*", type=Path, metavar="PACK",
                      help="rule pack folders, or files of packs: each file stands for the pack it is in, a file "
                           "in no pack is passed by (as pre-commit passes changed files; default: the Westendorp "
                           "pack)")
    test.add_argument("--engine", choices=(*engines.names(), "all"), default="all",
                      help="the engine to run the examples on (default all: every engine that needs nothing "
                           "started)")
    test.set_defaults(run=cmd_test)

    cov = sub.add_parser("coverage", help="list every clause with the rules and controls that cover it")
    cov.add_argument("--rules", type=Path, default=None)
    cov.add_argument("--format", choices=("text", "json"), default="text")
    cov.set_defaults(run=cmd_coverage)

    verify = sub.add_parser("verify", help="check a chain of reports: links, dates, export files, signatures")
    verify.add_argument("reports", nargs="+", type=Path, help="report files, or folders of them")
    verify.add_argument("--public-key", type=Path, help="ed25519 public key (PEM): check each <report>.sig")
    verify.add_argument("--head", type=_sha256, metavar="SHA256",
                        help="the sha256 of the chain's last report, kept outside the folder (verify prints it): "
                             "the chain must end there, so that reports taken from its end are found")
    verify.set_defaults(run=cmd_verify)

    period = sub.add_parser("period", help="the figures of a chain of reports over its period, per audit date and "
                                           "article, once the chain holds")
    period.add_argument("reports", nargs="+", type=Path, help="report files, or folders of them (as verify takes)")
    period.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the period report here (atomically); its format from the suffix: .html, .md, "
                             ".json (default: Markdown to stdout)")
    period.add_argument("-f", "--format", choices=("html", "markdown", "json"),
                        help="the format, whatever the suffix of --output")
    period.add_argument("--lang", choices=("nl", "en"), help="language of the labels (default: the last report's)")
    period.add_argument("--public-key", type=Path, help="ed25519 public key (PEM): each <report>.sig must hold")
    period.add_argument("--head", type=_sha256, metavar="SHA256",
                        help="the sha256 of the chain's last report, kept outside the folder: the chain must end "
                             "there")
    period.set_defaults(run=cmd_period)

    init = sub.add_parser("init", help="write a new rule pack: one rule with its examples, one control, a contract")
    init.add_argument("folder", type=Path, help="a new (or empty) folder")
    init.add_argument("--name", help="the pack's name (default: the folder's)")
    init.set_defaults(run=cmd_init)

    schema = sub.add_parser("schema", help="the JSON Schemas of rule files, packs, configurations, contracts and "
                                           "reports: their $id and installed file, or one schema")
    schema.add_argument("name", nargs="?", choices=SCHEMA_NAMES, metavar="NAME",
                        help=f"one of {', '.join(SCHEMA_NAMES)}: print that schema (default: list them all)")
    schema.add_argument("--path", action="store_true", help="print the schema's file in the installed package")
    schema.set_defaults(run=cmd_schema)

    gen = sub.add_parser("generate", help="write a synthetic export with planted violations and its ground truth")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--clients", type=int, default=200)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    gen.add_argument("--as-of", type=_date, default=dt.date(2026, 11, 28))
    gen.add_argument("--events-per-client", type=int, default=40, help="size of the access log (default 40)")
    gen.add_argument("--partition", choices=("month",), help="write the access log as a folder of monthly "
                                                              "Parquet files")
    gen.add_argument("--rates", choices=("audit", "realistic"), default="audit",
                     help="audit: about 1.5%% odd background events; realistic: about 0.01%%")
    gen.add_argument("--no-ground-truth", action="store_true",
                     help="skip the oracle over the access log (for very large exports)")
    gen.set_defaults(run=cmd_generate)

    explain = sub.add_parser("explain", help="show how one rule is compiled and run, and why a row is flagged")
    explain.add_argument("rule_id", metavar="RULE_ID")
    explain.add_argument("--rules", type=Path, default=None, help="rule pack folder (default: the Westendorp pack)")
    explain.add_argument("--dialect", choices=engines.names(), default="duckdb", metavar="ENGINE",
                         help="the engine whose SQL to show (default duckdb; pandas runs no SQL: its plan is shown)")
    explain.add_argument("--data", type=Path, help="export folder, to explain one row")
    explain.add_argument("--key", help="the row to explain, as COL=VALUE, or every part of a composite key: "
                                         "A=1,B=2 (or A=1;B=2) (needs --data)")
    explain.add_argument("--as-of", type=_moment, help="audit date or moment, as for check (default: today in the "
                                                       "pack's time zone)")
    explain.add_argument("--config", type=Path, help="the organisation's parameters")
    explain.add_argument("--lang", choices=("nl", "en"), default="en", help="language of title and message")
    explain.set_defaults(run=cmd_explain)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--format", choices=FORMATS, default="text", help="the format of a single output")
    parser.add_argument("-o", "--output", action="append", default=[], metavar="[FORMAT=]FILE",
                        help="write the report here (atomically) instead of to stdout; repeat as FORMAT=FILE "
                             "for several formats in one run, e.g. -o sarif=r.sarif -o html=r.html")
    parser.add_argument("--sarif-max-results", type=_positive, metavar="N",
                        help="SARIF results per rule at most (default 20), then one summary result; "
                             "every finding stays in the JSON report")


def _separator(text: str) -> str:
    found = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}.get(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a CSV separator: give , ; tab or |")
    return found


def _encoding(text: str) -> str:
    import codecs

    try:
        return codecs.lookup(text).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an encoding Python knows, e.g. windows-1252") from None


def _sha256(text: str) -> str:
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text.lower()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a sha256: 64 hexadecimal digits")
    return text.lower()


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status. A signal that asked the run to stop (`checker/stop.py`, installed
    by `run`) ends it with 128 + the signal's number, once what it opened is closed."""
    try:
        return _command(argv)
    except Stopped as stop:
        _say(f"reglement: stopped by {stop.name}")
        return 128 + stop.signum


def _command(argv: list[str] | None) -> int:
    """The command, with standard output as `StandardOutput` makes it: a character the terminal cannot encode
    escaped, a write that fails said as such (exit 2), never a traceback."""
    stdout = sys.stdout
    sys.stdout = StandardOutput(stdout)
    try:
        return _main(argv)
    finally:
        sys.stdout = stdout


def _main(argv: list[str] | None) -> int:
    """The command, its failures worded; a failure a stop caused is the stop."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "check":
            args.rules = pack_folder(args.rules) if args.rules else default_pack()
        status = args.run(args)
        sys.stdout.flush()  # what is still buffered may not fit either: said here, not lost at exit
        return status
    except (UserError, WriteError) as err:  # a bad pack, configuration, export, baseline, argument or output
        raise_if_stopped()
        from .checker.formats.controls import visible  # a column, file name or key of the export, read in a terminal

        _say(visible(err.render(), keep="\t\n"))
        return 2
    except BrokenPipeError:  # a closed pipe StandardOutput did not see (it discards the rest itself)
        discard(sys.stdout)
        return 0
    except OSError as err:
        raise_if_stopped()
        from .checker.formats.controls import visible

        _say(f"reglement: {visible(err.filename)}: {err.strerror}" if err.filename
             else f"reglement: {err.strerror or err}")
        return 2
    except Exception as err:  # last resort: a message, never a traceback
        raise_if_stopped()
        if os.environ.get("REGLEMENT_DEBUG"):
            raise
        _say(f"reglement: internal error: {type(err).__name__} (set REGLEMENT_DEBUG=1 for details)")
        return 2


def _say(message: str) -> None:
    """A message on stderr; where even stderr cannot be written to, the exit status says it alone."""
    with contextlib.suppress(OSError):
        print(message, file=sys.stderr)


def run() -> None:
    """The console command `reglement`: `main`, then out at once.

    By then every output is written whole (the reports and their signatures renamed into
    place together once synced: `files.py`), standard output is flushed (a failure there
    said by `main`, exit 2), and every engine is closed; what is left is Python freeing a
    large audit's objects one by one, which the operating system does at once (as mypy's
    fast exit does). What is still buffered on stdout and stderr is flushed first. Ctrl-C and
    SIGTERM stop it cleanly (`checker/stop.py`).
    """
    install_stop()
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a pipe whose reader has gone, a stream already closed
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
