"""The roster's .xlsx reader gives, cell for cell, what openpyxl's read-only mode gives.

openpyxl stays the reference: every workbook here is read by both and compared, from
files openpyxl writes (shared strings; write-only: inline strings) and from parts
rewritten by hand the way other writers lay them out (no ``r`` attributes, prefixed
namespaces, phonetic runs, the 1904 calendar, ISO dates), and the values calamine cannot
give (error cells, numbers of 2**53 or more), which openpyxl reads instead. Trailing empty
cells and rows without a value are not compared: the reader leaves them out (the roster
treats a missing cell as empty). A DOCTYPE is refused.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from storage.roster import RosterFileError
from storage.roster.reader import read_roster
from storage.roster.xlsx import Workbook

Rows = list[tuple[int, list[Any]]]


def by_openpyxl(path: Path) -> dict[str, Rows]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = enumerate(ws.iter_rows(values_only=True), start=1)
            out[ws.title] = [(n, v) for n, v in ((n, trim(list(v))) for n, v in rows) if v]
        return out
    finally:
        wb.close()


def trim(values: list[Any]) -> list[Any]:
    while values and values[-1] is None:
        values.pop()
    return values


def by_ours(path: Path, calamine: bool | None = True) -> dict[str, Rows]:
    """Our rows; ``calamine``: whether calamine alone must have read them (None: either)."""
    with Workbook(path) as book:
        out = {title: list(book.rows(key)) for title, key in book.sheets}
        if calamine is not None:
            assert (book._reference is None) == calamine
        return out


CELLS: list[Any] = [
    "户主 ",
    " 桃源村",
    "两行\n文字",
    "",
    None,
    0,
    7,
    -3,
    13800001234,
    3.0,
    1.5,
    1e15,
    9007199254740991,  # 2**53 - 1: still exact as a float
    True,
    False,
    date(2026, 12, 1),
    datetime(2026, 12, 1, 8, 30),
    time(9, 15),
    timedelta(hours=36),
    "=1+1",  # a formula without a cached value: None in data_only mode
]


def write(path: Path, rows: list[list[Any]], write_only: bool = False) -> Path:
    wb = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    for title in ("单位", " 干部 ", "其他"):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    if not write_only:
        wb["其他"].sheet_state = "hidden"
        wb[" 干部 "]["C7"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
        wb[" 干部 "]["F9"] = 12  # a lone cell far from the others: gaps before it
    wb.save(path)
    return path


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(tmp_path, write_only):
    rows = [CELLS[i : i + 7] for i in range(0, len(CELLS), 3)] + [[], [None, None], ["尾"]]
    path = write(tmp_path / "book.xlsx", rows, write_only)
    assert by_ours(path) == by_openpyxl(path)
    assert by_ours(path)["单位"][0] == (1, [None if c == "" else c for c in CELLS[:7]])


cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2999, 12, 31)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cell, max_size=6), max_size=8), write_only=st.booleans())
def test_generated_workbooks_read_as_openpyxl_reads_them(tmp_path, rows, write_only):
    path = write(tmp_path / "generated.xlsx", rows, write_only)
    assert by_ours(path, calamine=None) == by_openpyxl(path)


def rewrite(path: Path, parts: dict[str, str]) -> Path:
    """The same package with some parts replaced (as another writer would lay them out)."""
    out = path.with_name("rewritten.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = parts.get(info.filename)
            dst.writestr(info, data.encode() if data is not None else src.read(info))
        for name in parts.keys() - set(src.namelist()):
            dst.writestr(name, parts[name].encode())
    return out


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:sst xmlns:x="{MAIN}" count="3" uniqueCount="3">
<x:si><x:t xml:space="preserve"> 吴国庆 </x:t></x:si>
<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>桃</x:t></x:r><x:r><x:t>源村</x:t></x:r>\
<x:rPh sb="0" eb="1"><x:t>タオ</x:t></x:rPh><x:phoneticPr fontId="1"/></x:si>
<x:si><x:t>a_x005F_b</x:t></x:si>
</x:sst>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="{main}"><x:sheetData>
<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>
<x:row><x:c><x:v>42</x:v></x:c><x:c s="1"><x:v>46000.5</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c>\
<x:c><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v> 吴国庆 </x:v></x:c></x:row>
<x:row r="5"><x:c r="C5" t="inlineStr"><x:is><x:r><x:t>内</x:t></x:r><x:r><x:t>联</x:t></x:r>\
</x:is></x:c><x:c r="E5" t="d"><x:v>2026-12-01T00:00:00</x:v></x:c><x:c r="F5"><x:v></x:v></x:c>\
{last}</x:row>
</x:sheetData></x:worksheet>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="170" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<cellStyleXfs count="2"><xf numFmtId="14"/><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="170"/></cellXfs></styleSheet>"""


# The last cell of row 5: what calamine reads as openpyxl does, and what it cannot give.
LAST = {
    "a date": ('<x:c r="G5" s="1"><x:v>46000</x:v></x:c>', True),
    "an error": ('<x:c r="G5" t="e"><x:v>#N/A</x:v></x:c>', False),
    "a date out of range": ('<x:c r="G5" s="1"><x:v>1E+99</x:v></x:c>', False),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns on the odd cells
@pytest.mark.parametrize("last", list(LAST))
@pytest.mark.parametrize("date1904", [False, True])
def test_other_writers_layouts_read_as_openpyxl_reads_them(tmp_path, date1904, last):
    cell, calamine = LAST[last]
    path = write(tmp_path / "book.xlsx", [["x"]])
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        types = z.read("[Content_Types].xml").decode()
    if date1904:
        workbook = workbook.replace("<workbookPr ", '<workbookPr date1904="1" ')
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    rels_path = "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(path) as z:
        rels = z.read(rels_path).decode()
    if "sharedStrings" not in rels:
        rels = rels.replace(
            "</Relationships>",
            '<Relationship Id="rIdS" Target="/xl/sharedStrings.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        )
    parts = {
        "xl/worksheets/sheet1.xml": SHEET.format(main=MAIN, last=cell),
        "xl/sharedStrings.xml": STRINGS,
        "xl/styles.xml": STYLES,
        "xl/workbook.xml": workbook,
        rels_path: rels,
        "[Content_Types].xml": types
        if "sharedStrings" in types
        else types.replace("</Types>", override + "</Types>"),
    }
    other = rewrite(path, parts)
    ours = by_ours(other, calamine)
    assert ours == by_openpyxl(other)
    first = ours["单位"]
    assert first[0] == (1, [" 吴国庆 ", "桃源村", "a_b"])
    assert first[2][0] == 5 and first[2][1][2] == "内联"


DOCTYPES = {
    "billion laughs": '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    "external entity": '<!DOCTYPE x [<!ENTITY lol2 SYSTEM "file:///etc/passwd">]>',
}


@pytest.mark.parametrize("doctype", list(DOCTYPES))
def test_a_doctype_in_any_part_is_refused_and_names_the_file(tmp_path, doctype):
    path = write(tmp_path / "book.xlsx", [["单位名称"], ["x"]])
    laughs = (
        f'<?xml version="1.0"?>{DOCTYPES[doctype]}'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t>'
        "</is></c></row></sheetData></worksheet>"
    )
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
        bad = rewrite(path, {part: laughs})
        with pytest.raises(RosterFileError) as info:
            read_roster(bad)
        assert str(info.value).startswith("rewritten.xlsx: 不是有效的 Excel 工作簿")
        # Behind our refusal, calamine itself expands no entity and fetches nothing: its
        # XML parser (quick-xml) fails on the reference.
        with pytest.raises(python_calamine.CalamineError):
            calamine_book = python_calamine.CalamineWorkbook.from_path(bad)
            calamine_book.get_sheet_by_name("单位").to_python()


def test_a_sheet_starting_away_from_a1_keeps_its_row_and_column_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位"
    ws["C3"] = "桃源村"
    ws["E6"] = 5
    wb.save(tmp_path / "offset.xlsx")
    ours = by_ours(tmp_path / "offset.xlsx")
    assert ours == by_openpyxl(tmp_path / "offset.xlsx")
    assert ours["单位"] == [(3, [None, None, "桃源村"]), (6, [None, None, None, None, 5])]


def test_integers_beyond_a_float_and_error_cells_keep_openpyxl_values(tmp_path):
    """calamine rounds a number of 2**53 or more (an 18-digit ID another program wrote as an
    exact integer) and reads an error cell as empty: those workbooks are read by openpyxl."""
    path = write(
        tmp_path / "odd.xlsx", [["编号", "户主姓名"], [1234567, "吴国庆"]], write_only=True
    )
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    for text, value in (
        ("330102198001011234", 330102198001011234),
        ("9007199254740992", 2**53),
        ("3.3e+17", 3.3e17),
    ):
        exact = rewrite(path, {"xl/worksheets/sheet1.xml": sheet.replace(">1234567<", f">{text}<")})
        ours = by_ours(exact, calamine=False)
        assert ours == by_openpyxl(exact)
        assert ours["单位"][1] == (2, [value, "吴国庆"])
    error = write(tmp_path / "error.xlsx", [["编号", "户主姓名"], ["#N/A", "吴国庆"]])
    ours = by_ours(error, calamine=False)
    assert ours == by_openpyxl(error)
    assert ours["单位"][1] == (2, ["#N/A", "吴国庆"])


def test_an_error_cell_reaches_the_roster_as_its_text(tmp_path):
    """A failed VLOOKUP's #N/A stays visible to the row's check instead of reading as empty."""
    path = write(
        tmp_path / "book.xlsx", [["单位名称", "上级单位", "类型"], ["桃源村", "#N/A", "村"]]
    )
    rows = read_roster(path).sheets["单位"].rows
    assert [(r.number, r.cells) for r in rows] == [
        (2, {"单位名称": "桃源村", "上级单位": "#N/A", "类型": "村"})
    ]


def test_excel_character_escapes_read_as_the_characters_excel_shows(tmp_path):
    """The one deliberate difference: ``_x000D_`` is how Excel stores a carriage return in
    a cell (and ``_x005F_`` a literal underscore before such a code); calamine decodes them
    as Excel shows them, openpyxl leaves the code in the text."""
    path = write(tmp_path / "book.xlsx", [["两行_x000D_文字", "a_x005F_x000D_b"]])
    assert by_ours(path)["单位"] == [(1, ["两行\r文字", "a_x000D_b"])]
    assert by_openpyxl(path)["单位"] == [(1, ["两行_x000D_文字", "a_x005F_x000D_b"])]


def test_a_damaged_package_gets_one_line_naming_the_file(tmp_path):
    path = write(tmp_path / "book.xlsx", [["单位名称", "上级单位", "类型"], ["桃源村", "", "村"]])
    data = path.read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    at = info.header_offset + 30 + len(info.filename.encode()) + 8  # inside its deflated bytes
    (tmp_path / "damaged.xlsx").write_bytes(data[:at] + b"\x00" * 32 + data[at + 32 :])
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "no-sheet.xlsx", "w") as dst:
        for member in src.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(member, src.read(member))
    for name in ("truncated.xlsx", "damaged.xlsx", "no-sheet.xlsx"):
        with pytest.raises(RosterFileError) as raised:
            read_roster(tmp_path / name)
        text = str(raised.value)
        assert text.startswith(f"{name}: 不是有效的 Excel 工作簿") and "\n" not in text
