"""A rule author reads these messages: assert their exact text, caret included."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import rule_file, write_pack

from reglement.compiler.diagnostics import CompileError
from reglement.compiler.stages import compile_pack, load_pack


def errors_of(folder: Path) -> str:
    with pytest.raises(CompileError) as caught:
        load_pack(folder)
    return caught.value.render()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # rule files are then named relative: pack/art-01.yaml


def expect(condition: str, message: str, **kw) -> None:
    folder = write_pack(Path("pack"), rule_file(condition, params="{access_months: 1}", **kw))
    assert errors_of(folder) == textwrap.dedent(message).strip("\n") + "\n\n1 error in the rule pack"


def test_syntax_error_names_what_was_expected():
    expect("type = = 'access'", """
        pack/art-01.yaml:14:14: error E201: syntax error: unexpected '='
           14 |       type = = 'access'
              |              ^
              = expected '(', 'next'/'previous', a $parameter, a name, a value, an aggregate (latest … of …)
        """)


def test_condition_that_ends_too_early():
    words = "'(', 'exists'/'no', 'next'/'previous', 'not', a $parameter, a name, a value, an aggregate (latest … of …)"
    expect("type = 'access' and", f"""
        pack/art-01.yaml:14:26: error E201: syntax error: the condition ends too early
           14 |       type = 'access' and
              |                          ^
              = expected {words}
        """)


def test_unclosed_text():
    expect("type = 'access", """
        pack/art-01.yaml:14:14: error E201: syntax error: a text is not closed with '
           14 |       type = 'access
              |              ^
              = expected '(', a $parameter, a name, a value
        """)


def test_impossible_date():
    expect("received_at = 2026-02-30", """
        pack/art-01.yaml:14:21: error E202: invalid literal: day is out of range for month
           14 |       received_at = 2026-02-30
              |                     ^~~~~~~~~~
        """)


def test_unknown_column_with_did_you_mean():
    expect("typ = 'access'", """
        pack/art-01.yaml:14:7: error E302: unknown column 'typ' in dataset requests
           14 |       typ = 'access'
              |       ^~~
              = did you mean 'type'?
        """)


def test_unknown_column_on_a_later_line_of_a_block():
    expect("type = 'access'\nand decided_att is null", """
        pack/art-01.yaml:15:11: error E302: unknown column 'decided_att' in dataset requests
           15 |       and decided_att is null
              |           ^~~~~~~~~~~
              = did you mean 'decided_at'?
        """)


def test_unknown_dataset():
    expect("no requestz where client_id = requests.client_id", """
        pack/art-01.yaml:14:10: error E303: unknown dataset 'requestz'
           14 |       no requestz where client_id = requests.client_id
              |          ^~~~~~~~
              = did you mean 'requests'?
        """)


def test_qualifier_not_in_scope():
    expect("exists records where client_id = request.client_id", """
        pack/art-01.yaml:14:40: error E301: 'request' is not a dataset in scope here
           14 |       exists records where client_id = request.client_id
              |                                        ^~~~~~~~~~~~~~~~~
              = did you mean 'requests'?
        """)


def test_type_mismatch():
    expect("received_at > 3", """
        pack/art-01.yaml:14:7: error E402: cannot compare a date with a number
           14 |       received_at > 3
              |       ^~~~~~~~~~~~~~~
        """)


def test_timestamp_against_date_suggests_date():
    expect("exists disclosures where disclosed_at > requests.received_at", """
        pack/art-01.yaml:14:32: error E402: cannot compare a timestamp with a date
           14 |       exists disclosures where disclosed_at > requests.received_at
              |                                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
              = compare date(…) of the timestamp with the date
        """)


def test_compare_with_null():
    expect("decided_at = null", """
        pack/art-01.yaml:14:7: error E401: nothing equals null
           14 |       decided_at = null
              |       ^~~~~~~~~~~~~~~~~
              = write `is null` or `is not null` instead
        """)


def test_duration_needs_a_date():
    expect("type + 1 day = type", """
        pack/art-01.yaml:14:7: error E403: cannot compute string + duration
           14 |       type + 1 day = type
              |       ^~~~~~~~~~~~
              = a duration is added to or taken from a date: `received_at + 1 month`
        """)


def test_a_duration_made_by_a_function_is_no_literal_duration():
    """The fuzzer's find: the resolver read a unit off any duration, and `coalesce(1 day)` has none."""
    expect("request_id + coalesce(1 day) = request_id", """
        pack/art-01.yaml:14:7: error E403: cannot compute string + duration
           14 |       request_id + coalesce(1 day) = request_id
              |       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
              = a duration is added to or taken from a date: `received_at + 1 month`
        """)


def test_condition_must_be_true_or_false():
    expect("received_at", """
        pack/art-01.yaml:14:7: error E404: a condition must be true or false, but this is a date
           14 |       received_at
              |       ^~~~~~~~~~~
        """)


def test_unknown_function():
    expect("lowr(type) = 'x'", """
        pack/art-01.yaml:14:7: error E405: unknown function 'lowr'
           14 |       lowr(type) = 'x'
              |       ^~~~~~~~~~
              = did you mean 'lower'?
        """)


def test_wrong_number_of_arguments():
    expect("elfproef(type, type)", """
        pack/art-01.yaml:14:7: error E406: elfproef() takes 1 argument, got 2
           14 |       elfproef(type, type)
              |       ^~~~~~~~~~~~~~~~~~~~
        """)


def test_unknown_parameter():
    expect("received_at + $acces_months months < $audit_date", """
        pack/art-01.yaml:14:21: error E501: unknown parameter '$acces_months'
           14 |       received_at + $acces_months months < $audit_date
              |                     ^~~~~~~~~~~~~
              = did you mean '$access_months'?
        """)


def test_a_parameter_default_outside_the_vocabulary_it_is_compared_with():
    """As `type = 'Deletion'` is E407, so is a parameter whose default holds 'Deletion', at the default's line."""
    folder = write_pack(Path("pack"), rule_file("type in $kinds and decision = $decided",
                                                params="{kinds: [access, Deletion], decided: {default: granted}}"))
    assert errors_of(folder) == textwrap.dedent("""\
        pack/art-01.yaml:12:30: error E407: 'Deletion' is not a value of requests.type, which $kinds is compared with
           12 |     params: {kinds: [access, Deletion], decided: {default: granted}}
              |                              ^
              = did you mean 'deletion'?

        1 error in the rule pack""")


def test_a_configured_parameter_outside_the_vocabulary_it_is_compared_with():
    """A list or a text set in the configuration is held to the vocabulary too, at the configuration's line."""
    folder = write_pack(Path("pack"), rule_file("type in $kinds and decision = $decided",
                                                params="{kinds: [access], decided: granted}"))
    Path("config.yaml").write_text("params:\n  kinds: [access, Deletion]\nrules:\n  1.1-test-rule:\n"
                                   "    params:\n      decided: Granted\n", encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        compile_pack(folder, Path("config.yaml"))
    assert caught.value.render() == textwrap.dedent("""\
        config.yaml:2:19: error E407: 'Deletion' is not a value of requests.type, which $kinds is compared with
            2 |   kinds: [access, Deletion]
              |                   ^
              = did you mean 'deletion'?

        config.yaml:6:16: error E407: 'Granted' is not a value of requests.decision, which $decided is compared with
            6 |       decided: Granted
              |                ^
              = did you mean 'granted'?

        2 errors in the rule pack""")
    Path("config.yaml").write_text("params:\n  kinds: [access, deletion]\n  decided: refused\n", encoding="utf-8")
    assert compile_pack(folder, Path("config.yaml"))[1].params == {"kinds": ["access", "deletion"],
                                                                   "decided": "refused"}


def test_message_may_not_show_a_plain_column():
    folder = write_pack(Path("pack"), rule_file("type = 'access'", message="request {client_id}"))
    text = errors_of(folder)
    assert "error E602: the message may show key columns, `let` values and parameters only, not '{client_id}'" in text
    assert "= allowed: {request_id}, {$audit_date}" in text
    assert text.count("E602") == 2  # the nl and the en message


def test_message_may_not_show_personal_data(tmp_path):
    folder = write_pack(Path("pack"), rule_file("name is not empty", dataset="clients", let="who: lower(name)",
                                                message="client {client_id}: {who}"))
    text = errors_of(folder)
    assert "error E603: '{who}' reads the personal column clients.name; a report must never show it" in text


def test_all_errors_of_a_pack_in_one_run():
    second = rule_file("decided_att is null").split("rules:\n")[1].replace("1.1-test-rule", "1.1-second-rule")
    folder = write_pack(Path("pack"), rule_file("typ = 'access'") + second)
    text = errors_of(folder)
    assert text.endswith("2 errors in the rule pack")
    assert text.index("'typ'") < text.index("'decided_att'")  # sorted by line


def test_schema_errors_point_at_the_yaml_line():
    folder = write_pack(Path("pack"), rule_file("type = 'access'").replace("severity: high", "severty: high"))
    assert errors_of(folder) == textwrap.dedent("""\
        pack/art-01.yaml:7:5: error E102: rules.0: 'severity' is required
            7 |   - id: 1.1-test-rule
              |     ^

        pack/art-01.yaml:10:5: error E102: rules.0: unknown field 'severty'; did you mean 'severity'?
           10 |     severty: high
              |     ^

        2 errors in the rule pack""")


def test_unquoted_clause_number_gets_a_hint():
    folder = write_pack(Path("pack"), rule_file("type = 'access'").replace('article: "1.1"', "article: 1.1"))
    assert errors_of(folder) == textwrap.dedent("""\
        pack/art-01.yaml:8:14: error E102: rules.0.article: 1.1 is not of type 'string'
            8 |     article: 1.1
              |              ^
              = quote it, e.g. '5.1'

        1 error in the rule pack""")


def test_yaml_syntax_error():
    folder = write_pack(Path("pack"), "article: \"1\"\ntitle: {nl: Een, en: One\nclauses: []\n")
    text = errors_of(folder)
    assert text.startswith("pack/art-01.yaml:3:8: error E101: not valid YAML")


def test_rule_for_a_clause_the_file_does_not_quote():
    folder = write_pack(Path("pack"), rule_file("type = 'access'").replace('article: "1.1"', 'article: "1.2"'))
    assert "error E104: '1.1-test-rule' enforces clause 1.2, which this file does not quote" in errors_of(folder)


def test_duplicate_rule_id():
    text = rule_file("type = 'access'")
    folder = write_pack(Path("pack"), text + text.split("rules:\n")[1])
    assert "error E106: the id '1.1-test-rule' is used twice (first at pack/art-01.yaml:7:5)" in errors_of(folder)


def test_let_may_not_hide_a_column():
    folder = write_pack(Path("pack"), rule_file("type = 'access'", let="type: client_id"))
    assert "error E304: the value 'type' hides the column of that name in requests" in errors_of(folder)


def test_an_alias_hides_the_dataset_name_so_the_outer_row_stays_reachable(tmp_path):
    """Two access requests of one client: each sees the other through the alias."""
    import datetime as dt

    from reglement.checker.audit import run_audit
    from reglement.checker.intake import rows_sources
    from reglement.compiler.config import Config

    folder = write_pack(Path("pack"), rule_file(
        "exists requests as other where other.client_id = requests.client_id "
        "and other.request_id != requests.request_id"))
    pack = load_pack(folder)
    rows = {"requests": [{"request_id": "R1", "client_id": "C1"}, {"request_id": "R2", "client_id": "C1"},
                         {"request_id": "R3", "client_id": "C2"}]}
    audit = run_audit(pack, Config(), rows_sources(rows, pack.contract, "rows", "a test"), dt.date(2026, 11, 28))
    assert audit.results[0].parts[0].table.column("request_id").to_pylist() == ["R1", "R2"]


def test_example_data_with_a_misspelt_dataset_or_column_is_refused():
    """Otherwise an example that must flag nothing would pass without testing anything."""
    text = rule_file("type = 'access'") + """\
    examples:
      - note: misspelt
        data:
          request:
            - {request_id: R1}
          requests:
            - {request_id: R1, typ: access}
        flagged: []
"""
    rendered = errors_of(write_pack(Path("pack"), text))
    assert "error E107: example data names an unknown dataset 'request'" in rendered
    assert "did you mean 'requests'?" in rendered
    assert "error E108: example row has a column 'typ' that requests does not have" in rendered
    assert "did you mean 'type'?" in rendered


def test_a_field_that_fits_none_of_a_parameters_shapes_is_named_with_its_near_miss():
    """A parameter may be a value or a mapping of default, min and max: a mapping with `minimum:` is told of that
    field, not that it is "not valid under any of the given schemas"."""
    folder = write_pack(Path("pack"), rule_file("received_at + $access_months months < $audit_date",
                                                params="{access_months: {default: 1, minimum: 1}}"))
    assert errors_of(folder) == textwrap.dedent("""
        pack/art-01.yaml:12:42: error E102: rules.0.params.access_months: unknown field 'minimum'; did you mean 'min'?
           12 |     params: {access_months: {default: 1, minimum: 1}}
              |                                          ^

        1 error in the rule pack""").strip("\n")


# -- the amount of a duration: whole numbers and parameters with +, - and * ------------------------------
def errors_with(condition: str, params: str, let: str = "") -> str:
    return errors_of(write_pack(Path("pack"), rule_file(condition, params=params, let=let)))


TWO = "{access_months: 1, extra: 1, rate: 1.5, kind: access}"
AMOUNT_ERRORS = [
    ("received_at + ($access_months + $rate) months < $audit_date", TWO, "E409",
     "the amount of a duration must be a whole number, not $rate, whose default 1.5 is not whole", "$rate"),
    ("received_at + $kind days < $audit_date", TWO, "E409",
     "the amount of a duration must be a whole number, not a string", "$kind"),
    ("received_at + (1.5 * $access_months) months < $audit_date", TWO, "E409",
     "each side of '*' must be a whole number, not 1.5, which is not whole", "1.5"),
    ("received_at + (length(type)) days < $audit_date", TWO, "E409",
     "the amount of a duration must be a whole number, not a value of the data, which differs from row to row",
     "length(type)"),
    ("length(type) * 2 > 3", TWO, "E409",
     "each side of '*' must be a whole number, not a value of the data, which differs from row to row",
     "length(type)"),
    ("received_at + $access_months * 12 months < $audit_date", TWO, "E409",
     "each side of '*' must be a whole number, not a duration", "12 months"),
    ("received_at + $access_months + $extra months < $audit_date", TWO, "E403",
     "cannot compute date + number", "received_at + $access_months"),
]


@pytest.mark.parametrize("condition, params, code, message, at", AMOUNT_ERRORS,
                         ids=[f"{c[2]}-{c[0][14:44]}" for c in AMOUNT_ERRORS])
def test_an_amount_that_is_no_whole_number_is_refused_where_it_stands(condition, params, code, message, at):
    text = errors_with(condition, params)
    column = 7 + condition.index(at)
    assert text.startswith(f"pack/art-01.yaml:14:{column}: error {code}: {message}\n"), text
    assert f"{' ' * (column - 1)}^{'~' * (len(at) - 1)}\n" in text.replace("   14 | ", "").replace(
        "      | ", ""), text


def test_the_amount_of_a_duration_is_in_whole_units_and_says_what_may_stand_there():
    assert errors_with("received_at + ($access_months + $rate) months < $audit_date", TWO) == textwrap.dedent("""\
        pack/art-01.yaml:14:39: error E409: the amount of a duration must be a whole number, not $rate, whose default \
1.5 is not whole
           14 |       received_at + ($access_months + $rate) months < $audit_date
              |                                       ^~~~~
              = whole numbers and parameters with a whole-number default, joined by +, - and *, such as \
`($a + $b) months`

        1 error in the rule pack""")


def test_a_term_outside_the_parentheses_is_told_to_go_inside():
    assert errors_with("received_at + $access_months * 12 months < $audit_date", TWO).splitlines()[3] == \
        "      = whole numbers and parameters with a whole-number default, joined by +, - and *: put an amount in " \
        "parentheses before its unit, `($years * 12) months`"


@pytest.mark.parametrize("condition", ["received_at + $access_months + $extra months < $audit_date",
                                       "received_at < $access_months + $extra months"])
def test_a_unit_after_the_last_term_only_is_told_to_take_the_whole_amount(condition):
    assert errors_with(condition, TWO).splitlines()[3] == \
        "      = a number counts with its unit, and an amount of more than one term goes in parentheses before " \
        "it: `received_at + ($a + $b) months`"


def test_an_amount_that_can_exceed_its_unit_is_refused_at_its_span():
    assert errors_with("received_at + ($access_months + $extra) months < $audit_date", TWO) == textwrap.dedent("""\
        pack/art-01.yaml:14:22: error E504: ($access_months + $extra) months can come to as much as 4800 months: a \
duration counts at most 2400 months
           14 |       received_at + ($access_months + $extra) months < $audit_date
              |                      ^~~~~~~~~~~~~~~~~~~~~~~
              = narrow the parameters' ranges under `params:` ($access_months: 1..2400, $extra: 1..2400)

        1 error in the rule pack""")


@pytest.mark.parametrize("most, refused", [(1200, False), (1201, True)])
def test_a_sum_may_reach_the_maximum_of_its_unit_and_not_pass_it(most, refused):
    params = f"{{a: {{default: 1, max: 1200}}, b: {{default: 1, max: {most}}}}}"
    folder = write_pack(Path("pack"), rule_file("received_at + ($a + $b) months < $audit_date", params=params))
    if refused:
        assert "error E504: ($a + $b) months can come to as much as 2401 months" in errors_of(folder)
    else:
        assert load_pack(folder).rules[0].params[1].maximum == 1200


@pytest.mark.parametrize("least, refused", [(5, False), (4, True)])
def test_a_difference_may_come_to_zero_and_not_below(least, refused):
    params = f"{{a: {{default: 9, min: {least}, max: 30}}, b: {{default: 1, min: 0, max: 5}}}}"
    folder = write_pack(Path("pack"), rule_file("received_at + ($a - $b) days < $audit_date", params=params))
    if refused:
        assert "error E504: ($a - $b) days can come to as little as -1 days: a duration is never negative" in \
            errors_of(folder)
    else:
        load_pack(folder)


def test_a_product_is_bounded_by_its_factors_ranges():
    params = "{retention_years: {default: 7, max: 200}}"
    folder = write_pack(Path("pack"), rule_file("received_at + ($retention_years * 12) months < $audit_date",
                                                params=params))
    load_pack(folder)  # 200 * 12 = 2400 months: the most a duration counts
    folder = write_pack(Path("pack"), rule_file("received_at + ($retention_years * 13) months < $audit_date",
                                                params=params))
    assert "can come to as much as 2600 months" in errors_of(folder)


def test_an_amount_in_a_let_is_refused_at_the_let_s_line():
    text = errors_with("$audit_date > deadline", TWO, let="deadline: received_at + ($access_months - $extra) days")
    assert text.startswith("pack/art-01.yaml:14:32: error E504: ($access_months - $extra) days can come to as "
                           "little as -72999 days"), text


def _two_rules_of_one_parameter() -> Path:
    """1.1-sum adds $a and $b (each at most 1200 months); 1.1-alone, the last to declare $a, lets it be 2400."""
    first, second = (rule_file(c, params=p) for c, p in [
        ("received_at + ($a + $b) months < $audit_date", "{a: {default: 1, max: 1200}, b: {default: 1, max: 1200}}"),
        ("received_at + $a months < $audit_date", "{a: 1}")])
    second = second[second.index("  - id:"):].replace("1.1-test-rule", "1.1-alone")
    return write_pack(Path("pack"), first.replace("1.1-test-rule", "1.1-sum") + second)


@pytest.mark.parametrize("a, refused", [(1200, False), (1201, True)])
def test_a_value_for_every_rule_keeps_every_amount_it_makes_in_range(a, refused):
    """A value set for every rule is held to the range of each rule that declares it (1.1-sum's at most 1200,
    not 1.1-alone's 2400), so that the amount it makes with another parameter stays in range."""
    folder = _two_rules_of_one_parameter()
    Path("config.yaml").write_text(f"params:\n  a: {a}\nrules:\n  1.1-sum:\n    params:\n      b: 1200\n",
                                   encoding="utf-8")
    if not refused:
        assert compile_pack(folder, Path("config.yaml"))[1].params == {"a": 1200}
        return
    with pytest.raises(CompileError) as caught:
        compile_pack(folder, Path("config.yaml"))
    assert caught.value.render().startswith("config.yaml:2:6: error E117: 'a' must be in the range 1..1200, not 1201")


def test_a_parameter_used_with_two_units_takes_the_narrower_range():
    """`$n years` and `$n days`: 201 is a sane number of days but not of years."""
    folder = write_pack(Path("pack"), rule_file("received_at + $n years < $audit_date and received_at + $n days "
                                                "< $audit_date", params="{n: 2}"))
    Path("config.yaml").write_text("params:\n  n: 201\n", encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        compile_pack(folder, Path("config.yaml"))
    assert caught.value.render().startswith("config.yaml:2:6: error E117: 'n' must be in the range 1..200, not 201")


@pytest.mark.parametrize("amount, params, refused", [
    ("$y", "{y: {default: 7, max: 200}}", False), ("$y", "{y: {default: 7, max: 201}}", True),
    ("$y", "{y: {default: 0, min: 0}}", False), ("$y", "{y: {default: 0, min: -1}}", True),
    ("200", "{y: 1}", False), ("201", "{y: 1}", True)])
def test_a_bare_amount_is_held_to_its_unit_as_a_computed_one_is(amount, params, refused):
    """A rule's own range for a parameter, or a number written out, may not pass the unit's maximum either."""
    folder = write_pack(Path("pack"), rule_file(f"received_at + {amount} years < $audit_date", params=params))
    if refused:
        assert "error E504: " in errors_of(folder)
    else:
        load_pack(folder)
