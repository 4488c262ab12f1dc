"""Every error a user can meet: its code, the stage that reports it, what it means, what to do.

Codes are stable: scripts and editors may match on them. `docs/errors.md` is this table
rendered (`python -m reglement.compiler.errors > docs/errors.md`); a test checks that it
is, and that every code the code base reports is here.

    E1xx  rule pack, data contract and configuration files
    E2xx  condition syntax
    E3xx  names (datasets, columns, `let` values)
    E4xx  types
    E5xx  parameters
    E6xx  messages and titles
    E7xx  the data: export files, frames, example rows
    E8xx  the command line
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    stage: str
    meaning: str
    remedy: str


_TABLE = [
    # -- files ------------------------------------------------------------------------------------
    ("E100", "read", "the rule pack folder has no pack.yaml", "point --rules at a pack folder, or add its pack.yaml"),
    ("E101", "read", "a file is not valid YAML (a .json file: not valid JSON)",
     "fix the line shown; quote text that contains ': ' or starts with a special character"),
    ("E102", "schema", "a rule file or pack.yaml does not have the fields its schema asks for",
     "fix or remove the field shown; the hint lists the fields allowed"),
    ("E103", "structure", "a clause does not belong to the article of its file", "number it under its article"),
    ("E104", "structure", "a rule or control enforces a clause its file does not quote",
     "add the clause and its text under `clauses:`, or correct `article:`"),
    ("E105", "structure", "`made_concrete_by` names an id no rule or control has", "correct the id"),
    ("E106", "structure", "two rules or controls have the same id", "give each its own id"),
    ("E107", "examples", "example data names a dataset the contract does not have", "correct the dataset's name"),
    ("E108", "examples", "an example row has a column its dataset does not have", "correct the column's name"),
    ("E109", "structure", "a rule id starts with another clause than the one the rule enforces (for a regulation "
     "other than the pack's first: with another than its code and that clause)",
     "start the id with the clause in `article:`, after the regulation's code and a dash where it needs one"),
    ("E140", "schema", "an article or clause number is not written as a law numbers them",
     "write digits, with a letter after them where the law has one, parts joined by '.' or ':': 5, 5.1, 7.3.8, 2a, "
     "5.1a, 7:400"),
    ("E141", "structure", "a rule file names a regulation pack.yaml does not declare under `regulations`",
     "correct the code (the hint lists the known ones), or declare the regulation in pack.yaml"),
    ("E142", "structure", "a rule file of a pack with several regulations does not say which one it belongs to",
     "add `regulation: <code>` beside `article:`"),
    ("E143", "structure", "pack.yaml declares two regulations with one code", "give each regulation a code of its own"),
    ("E144", "structure", "two rule files quote the same article of one regulation (the message names both)",
     "keep each article of a regulation in one file; the same number in another regulation is allowed"),
    ("E123", "examples", "an example's `as_of` is not a date or moment that exists (2026-02-30, or 02:30 on the "
                         "night the clocks skip that hour)",
     "write a real date, YYYY-MM-DD, or a moment, YYYY-MM-DDTHH:MM"),
    ("E124", "structure", "two explanations of one rule have the same id", "give each explanation an id of its own"),
    ("E110", "config", "the configuration file cannot be read", "check the path and its permissions"),
    ("E111", "config", "the configuration sets a parameter no rule has",
     "correct the name; the hint lists the known ones"),
    ("E112", "config", "a parameter value has the wrong type", "give a value of the type of its default"),
    ("E113", "config", "the configuration names a rule the pack does not have", "correct the rule id"),
    ("E114", "config", "an attestation names a manual control the pack does not have", "correct the control id"),
    ("E115", "config", "a date in the configuration is not a date", "write it as YYYY-MM-DD"),
    ("E116", "config", "a waiver's key names a column that is not the key of the rule's findings",
     "use the key columns the hint lists (and `dataset` for a rule over several datasets)"),
    ("E117", "config", "a parameter value is outside the range its rule allows", "give a value within the range"),
    ("E118", "config", "the configuration maps a dataset the contract does not have to a table or file",
     "correct the dataset's name"),
    ("E119", "config", "a column mapping names a column the dataset does not have",
     "name the contract's column on the left, the table's or file's on the right"),
    ("E131", "config", "a file the configuration maps a dataset to is outside the export folder, of a format that "
                       "is not read, or given a sheet while it is no workbook",
     "name a .csv, .jsonl, .json, .parquet or .xlsx file relative to --data; sheet: only for an .xlsx"),
    ("E125", "reviews", "a review file cannot be read, is not .yaml, .yml, .csv or .xlsx (an XLSX workbook), or a "
     "CSV file's or workbook's first row lacks a column (rule, key, verdict, by, date)",
     "check the path; name the columns on the first line"),
    ("E126", "reviews", "a review's key is not the key of the rule's findings (all its key columns, no other, and "
     "`dataset` only for one of the rule's datasets)", "copy the key from the report's finding"),
    ("E127", "reviews", "a review's verdict is not justified, violation or false_positive", "write one of the three"),
    ("E128", "reviews", "a review is dated after the audit date (--as-of)", "correct the date, or audit on a later "
     "date"),
    ("E129", "reviews", "two reviews give a verdict for one finding (the message names both lines)",
     "keep one review per finding"),
    ("E120", "contract", "the data contract folder named in pack.yaml is not there or holds no schema",
     "name a folder of <dataset>.schema.json files relative to the pack, or a shipped contract (westendorp)"),
    ("E121", "contract", "a dataset schema does not have the fields a contract schema needs",
     "fix the field shown: the annotations are in rules/README.md, \"A data contract of your own\"; "
     "`reglement schema dataset` prints the schema a contract file must meet"),
    ("E122", "contract", "a dataset schema contradicts itself or the rest of the contract",
     "fix the key, reference, date pair, vocabulary or required name shown"),
    ("E133", "schema", "`time_zone:` in pack.yaml or the configuration is not a time zone of the IANA database",
     "write a zone such as Europe/Amsterdam or UTC; see the did-you-mean"),
    ("E130", "contract-rules", "a contract rule cannot be generated from the contract's declarations",
     "rename the column the hint names: it is a word of the condition language"),
    # -- conditions ---------------------------------------------------------------------------------
    ("E201", "parse", "a condition is not valid in the condition language", "fix it at the caret; the hint lists "
                                                                            "what may stand there"),
    ("E202", "parse", "a literal is not a real value (such as 2026-02-30)", "write a real date or timestamp"),
    ("E203", "parse", "a condition nests too deep (more than 100 levels)",
     "split it into `let` values; a long chain of `or` over one column is `x in [...]`"),
    ("E301", "resolve", "a qualifier names no dataset in scope", "use the dataset's name, or its alias"),
    ("E302", "resolve", "a column is not in the dataset", "correct the name; see the did-you-mean"),
    ("E303", "resolve", "a dataset is not in the contract", "correct the name, or add <name>.schema.json to the "
                                                            "pack's contract"),
    ("E304", "resolve", "a `let` value has the name of a column of the rule's dataset", "give it another name"),
    ("E401", "resolve", "a value is compared with null", "write `is null` or `is not null`"),
    ("E402", "resolve", "values of different types are compared, or a value cannot be used so",
     "compare like with like: date(ts) with a date, text with text"),
    ("E403", "resolve", "arithmetic that has no meaning (text + number, hours on a date)",
     "add a duration to a date or timestamp"),
    ("E404", "resolve", "a condition is not true or false", "compare the value with something"),
    ("E405", "resolve", "an unknown function", "use one of the functions the hint lists"),
    ("E406", "resolve", "a function gets the wrong number or types of arguments", "see the message"),
    ("E407", "resolve", "a text compared with a column of a closed vocabulary is not one of its values: in a "
     "condition, or in a parameter's default or configured value (a text, or a text of a list)",
     "use a value of the vocabulary exactly; see the did-you-mean"),
    ("E408", "resolve", "`next`/`previous` inside a sub-query: it reads the rule's own rows only",
     "write it outside the sub-query, as a `let` value if it is needed there"),
    ("E409", "resolve", "the amount of a duration, or a side of `*`, is not a whole number: a decimal, a text, a "
                        "parameter whose default is not whole, or a value of the data",
     "use whole numbers and whole-number parameters with +, - and *, the amount in parentheses: `($a + $b) months`"),
    ("E501", "resolve", "a condition uses a parameter the rule does not declare", "declare it under `params:`"),
    ("E503", "resolve", "a parameter's default lies outside its own range", "change the default or the range"),
    ("E504", "resolve", "the amount of a duration can, with its parameters anywhere in their ranges, come to more "
                        "than its unit allows (200 years, 2,400 months, 10,440 weeks, 73,000 days, 1,752,000 hours) "
                        "or to less than zero", "narrow the parameters' ranges with `min:` and `max:` under `params:`"),
    ("E601", "messages", "a message or title has an unmatched brace", "write a literal brace as {{ or }}"),
    ("E602", "messages", "a message shows something other than keys, `let` values and parameters",
     "show one of the fields the hint lists"),
    ("E603", "messages", "a message would show a value read from a personal column", "show a key or a yes/no instead"),
    ("E604", "messages", "a placeholder carries a format or conversion", "write the bare {name}"),
    ("E605", "messages", "a title quotes something other than a parameter", "quote a {$parameter} or nothing"),
    # -- data -------------------------------------------------------------------------------------
    ("E701", "intake", "the export folder is not there", "check --data"),
    ("E702", "intake", "two files for one dataset", "keep one of them"),
    ("E703", "intake", "a file cannot be read in its format, or is empty", "check the file, its extension and its "
     "encoding; an export of a dataset without rows still has its header line"),
    ("E704", "intake", "a column the contract requires is missing", "export the column"),
    ("E705", "intake", "a required value is empty", "export the value, or correct the contract if it may be empty"),
    ("E706", "intake", "a value is not of its column's type (a date, a timestamp, true/false, a list)",
     "export it as the contract writes it (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] with a T or a space, true/false)"),
    ("E707", "intake", "a number where the contract says text", "export the column as text (a BSN given as a number "
                                                                "of at most nine digits is restored instead)"),
    ("E708", "intake", "a key (every part of a composite key alike) repeats", "remove the duplicate rows"),
    ("E709", "intake", "two column names differ only in upper and lower case", "rename or remove one"),
    ("E710", "intake", "a line of a CSV or JSON Lines file is malformed, or holds a byte that is not of the file's "
                       "encoding", "fix the line shown; a byte that is not UTF-8 in a UTF-8 file is repaired, a file "
                                   "that is Windows-1252 throughout is read with --encoding windows-1252"),
    ("E711", "intake", "a folder where a file is expected, or a dataset folder without Parquet files",
     "give the dataset as one file, or as a folder of .parquet files"),
    ("E712", "intake", "a frame for a dataset the contract does not have", "correct the dataset's name"),
    ("E713", "intake", "a symbolic link in the export folder leads outside it",
     "copy the file into the export folder: the report's evidence is of the export as handed over"),
    ("E714", "intake", "a table, file, sheet or column the configuration maps a dataset to is not in the database "
                       "or the export folder",
     "correct the mapping in sources: or grant the auditor access to the table"),
    ("E715", "intake", "the database cannot be reached, or refuses the connection",
     "check the DSN (its text is never shown) and that the server runs"),
    ("E716", "intake", "the engine does not read a file of this format (Spark reads no spreadsheets)",
     "convert the file to Parquet, CSV or JSON Lines, or audit it with --engine duckdb"),
    ("E717", "intake", "a file was replaced, appended to or changed while it was audited: no verdict is given",
     "audit a copy that nothing writes to, or audit again once the export is complete"),
    ("E718", "intake", "the export folder holds no file of any dataset (and the configuration maps none elsewhere)",
     "give the folder the export was written to; its files are named after the datasets (clients.csv)"),
    ("E719", "intake", "a timestamp without an offset names a time of day the clocks of the audit's time zone skip "
                       "(2026-03-29 02:30 in Europe/Amsterdam, where they spring forward)",
     "write the moment with its offset (+01:00), or correct it; a wall clock shown twice in autumn is read as "
     "its first (summer time) occurrence"),
    # -- the command line -------------------------------------------------------------------------
    ("E802", "command", "--output, or the signature beside it, names a file the run reads (export, rules, "
     "configuration, baseline, previous report, key)", "write the report elsewhere"),
    ("E803", "command", "--fail-on-new without --baseline", "give the previous report with --baseline"),
    ("E804", "command", "--previous is not a reglement JSON report", "give the previous report as it was written"),
    ("E805", "command", "a signing or verifying key cannot be read, is not a PEM key, is not ed25519, or is a "
                        "private key where the public one is meant",
     "openssl genpkey -algorithm ed25519 -out key.pem; openssl pkey -in key.pem -pubout -out key.pub"),
    ("E806", "command", "a file to be written is a symbolic link, a folder, a FIFO, a device or a socket (a report, "
     "its signature, a generated export, a new pack)",
     "name a new file, or remove what is there: files are put in place whole, never written through a link or into "
     "a pipe"),
    ("E807", "command", "with --previous-key, the previous report's signature is missing or does not hold",
     "reglement verify --public-key KEY.pub on the folder of reports says what changed; give the report as it "
     "was signed, or the key that signed it"),
    ("E808", "command", "a report (to render, verify, or give as --baseline or --previous) was written by a newer "
     "reglement: its schema_version has a major version this reglement does not read",
     "upgrade reglement, or read the report with the version that wrote it"),
]

CODES: dict[str, Code] = {code: Code(code, stage, meaning, remedy) for code, stage, meaning, remedy in _TABLE}


def markdown() -> str:
    """The table as `docs/errors.md`."""
    lines = ["# Errors", "",
             "Every error reglement reports has a stable code. A rule-pack error is printed as",
             "`file:line:col: error CODE: message` with the line and a caret; a data error as",
             "`file: row N, column C: error CODE: message`, or as `file:line: column C: …` where a line",
             "of the file says more than a row (a JSON Lines file, a malformed CSV line, an example",
             "row in a rule file). The run stops with exit status 2. A data error quotes a value by its",
             "shape alone (`got 'Aaaaaa'` for `Jansen`, `'9999-99-99'` for `2024-02-30`: a capital `A`,",
             "another letter `a`, a digit `9`), never the value itself; a repeated key is quoted as the key.",
             "Keys, file and column names are shown with what a reader cannot see written out",
             "(`U01⟨U+200B⟩`).", "",
             "| code | stage | meaning | what to do |", "|---|---|---|---|"]
    lines += [f"| {c.code} | {c.stage} | {c.meaning} | {c.remedy} |" for c in CODES.values()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
