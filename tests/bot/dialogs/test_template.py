"""Template loading: the shipped files load, and bad ones fail naming file and question."""

from __future__ import annotations

import pytest

from bot.dialogs.template import TemplateError, available, load, load_named, parse

GOOD = """
[template]
id = "t"
title = "测试"

[[groups]]
id = "g"
label = "组"

[[groups.questions]]
id = "a"
label = "问题A"
type = "yes_no"

[[groups.questions]]
id = "b"
label = "问题B"
type = "text"
relevant = "${a} = 'yes'"
"""


def write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(available()))
def test_shipped_templates_load(name):
    template = load_named(name)
    assert template.id == name and template.questions and template.seed


def test_a_good_file_loads(tmp_path):
    t = load(write(tmp_path, GOOD, "t.toml"))
    assert [q.id for q in t.questions] == ["a", "b"]
    assert t.question("b").relevant.refs == {"a"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("relevant = \"${a} = 'yes'\"", "relevant = \"${zz} = 'yes'\""),
            "question b relevant: ${zz} is unknown",
        ),
        (
            ("relevant = \"${a} = 'yes'\"", "relevant = \"${b} = 'yes'\""),
            "question b relevant: ${b} is unknown or asked later",
        ),
        (('id = "b"', 'id = "a"'), "question a: duplicate question id"),
        (('type = "text"', 'type = "essay"'), "question b: type 'essay' not one of"),
        (
            ('type = "text"', 'type = "select_one"\nchoices = []'),
            "question b: a choice question needs a non-empty choices list",
        ),
        (
            ("relevant = \"${a} = 'yes'\"", 'relevant = "${a} = "'),
            "question b relevant: bad expression",
        ),
        (
            ("relevant = \"${a} = 'yes'\"", 'relevant = ". = 1"'),
            "'.' (this answer) can only be used in constraint",
        ),
        (('id = "b"', 'id = "_b"'), "reserved for the engine"),
        (('title = "测试"', ""), "[template]: title is missing"),
    ],
)
def test_errors_name_the_file_and_question(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(TemplateError) as err:
        load(write(tmp_path, GOOD.replace(old, new, 1)))
    assert str(err.value).startswith("bad.toml: ")
    assert message in str(err.value)


def test_forward_reference_is_an_error(tmp_path):
    text = GOOD.replace('type = "yes_no"', 'type = "yes_no"\nrelevant = "${b} = \'x\'"')
    with pytest.raises(
        TemplateError, match="question a relevant: \\$\\{b\\} is unknown or asked later"
    ):
        load(write(tmp_path, text))


def test_problem_rules_are_checked(tmp_path):
    text = GOOD + '\n[[groups.questions.problems]]\nkind = "闲聊"\n'
    with pytest.raises(TemplateError, match="question b: problem kind '闲聊'"):
        load(write(tmp_path, text))
    text = GOOD + '\n[[groups.questions.problems]]\nkind = "意见建议"\ncategory = "火星"\n'
    with pytest.raises(TemplateError, match="category '火星'"):
        load(write(tmp_path, text))


def test_bad_toml_and_unknown_name(tmp_path):
    with pytest.raises(TemplateError, match="bad.toml: not valid TOML"):
        load(write(tmp_path, "[template\n"))
    with pytest.raises(TemplateError, match="unknown template 'nope'"):
        load_named("nope")


def test_field_list_groups_take_simple_types_only():
    data = {
        "template": {"id": "t", "title": "t"},
        "groups": [
            {
                "id": "g",
                "appearance": "field-list",
                "questions": [
                    {
                        "id": "a",
                        "label": "A",
                        "type": "select_one",
                        "choices": [{"id": "x", "label": "X"}],
                    }
                ],
            }
        ],
    }
    with pytest.raises(
        TemplateError, match="x.toml: question a: type select_one cannot be in a field-list"
    ):
        parse(data, "x.toml")


def test_vocabularies_match_the_ledgers():
    from bot.dialogs import template
    from storage import vocab

    assert template.PROBLEM_KINDS == vocab.PROBLEM_KINDS
    assert template.CATEGORIES_CHANGZHOU == vocab.CATEGORIES_CHANGZHOU
    assert template.CATEGORIES_CHAIHUDIAN == vocab.CATEGORIES_CHAIHUDIAN
