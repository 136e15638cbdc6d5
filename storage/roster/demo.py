"""A synthetic demo roster: one town, three villages, ~30 cadres, ~600 targets.

Everything is invented: names are drawn from common surnames and given names,
phones are in the obviously fake 1380000xxxx / 0731-0000xxxx ranges. The output
depends only on ``today`` and ``seed``, so the committed example is reproducible.
``build_demo_roster`` is what ``minqing demo`` and ``examples/make_demo_roster.py``
call; ``benchmarks/import_roster.py`` uses it with 10 000 targets.
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from storage import vocab
from storage.roster.sheets import CADRES, PHASES, TARGETS, UNITS
from storage.roster.template import new_roster_workbook, write_notes
from storage.xlsx_cells import save_workbook

DEMO_SEED = 20261123
DEMO_CADRE = "demo_cadre"  # the stable account the simulator logs in as
DEMO_CADRE_NAME = "刘晓东"
DEMO_CADRE_TARGETS = 20
DEMO_LEADER = "demo_leader"  # the town's 负责人: leader digests in the demo
DEMO_LEADER_NAME = "陈建国"
TOWN = "虹桥镇"
LINE_OFFICES = ("党政办", "综治办", "经济发展办", "社会事务办")
VILLAGES = (("虹桥村", "HQ"), ("桃源村", "TY"), ("青山村", "QS"))
GRIDS_PER_VILLAGE = 3
GROUPS_PER_GRID = 3

SURNAMES = (
    ("张", "zhang"), ("王", "wang"), ("李", "li"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo"),
    ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"), ("唐", "tang"),
    ("冯", "feng"), ("邓", "deng"), ("彭", "peng"), ("曾", "zeng"), ("袁", "yuan"),
)  # fmt: skip
GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀英", "xiuying"), ("桂英", "guiying"), ("建华", "jianhua"), ("海燕", "haiyan"),
    ("志强", "zhiqiang"), ("春生", "chunsheng"), ("国庆", "guoqing"), ("红梅", "hongmei"),
    ("立新", "lixin"), ("德明", "deming"), ("玉兰", "yulan"), ("金凤", "jinfeng"),
    ("长青", "changqing"), ("保国", "baoguo"), ("冬梅", "dongmei"),
)  # fmt: skip
# (categories, weight) for households; places are drawn separately.
HOUSEHOLD_MIX: tuple[tuple[str, float], ...] = (
    ("", 70.0),  # empty means 一般农户
    ("党员", 8.0),
    ("退役军人", 4.0),
    ("乡贤", 2.0),
    ("离职村干部", 2.0),
    ("党员、退役军人", 1.0),
    ("贫困群众", 2.0),
    ("老党员", 1.5),
    ("信教人士", 1.0),
    ("五包一信访对象", 0.5),
    ("利剑护蕾对象", 0.5),
)
SHOP_NAMES = ("便民超市", "农资店", "小吃店", "理发店", "五金店", "药店", "快递点", "粮油店")
COMPANY_NAMES = ("竹木加工厂", "茶叶合作社", "砖厂", "米业有限公司", "农机维修部")
PHASE_PLAN = (  # (name, start offset, deadline offset) in days from today
    ("动员部署", -21, -8),
    ("走访排查", -7, 3),  # ends in 3 days: the demo's deadline reminder is due today
    ("汇总研判", 4, 17),
    ("集中化解", 18, 48),
    ("回访反馈", 49, 63),
)


@dataclass(frozen=True)
class DemoRoster:
    units: list[list[Any]]
    cadres: list[list[Any]]
    targets: list[list[Any]]
    phases: list[list[Any]]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.userids: set[str] = {DEMO_CADRE, DEMO_LEADER}
        self.cadre_names: set[str] = {DEMO_CADRE_NAME, DEMO_LEADER_NAME}

    def person(self) -> tuple[str, str]:
        (s, sp), (g, gp) = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
        return s + g, sp + gp

    def cadre(self) -> tuple[str, str]:
        while True:  # cadre names are unique so 走访干部 may be written by name
            name, pinyin = self.person()
            if name not in self.cadre_names:
                break
        userid, n = f"demo_{pinyin}", 2
        while userid in self.userids:
            userid, n = f"demo_{pinyin}{n}", n + 1
        self.cadre_names.add(name)
        self.userids.add(userid)
        return name, userid


def make_demo_roster(today: date, seed: int = DEMO_SEED, targets: int = 600) -> DemoRoster:
    """The demo roster's rows, sheet by sheet, in the import layout."""
    rng = random.Random(seed)
    names = _Names(rng)
    units: list[list[Any]] = [[TOWN, "", "镇"]]
    units += [[office, TOWN, "线办"] for office in LINE_OFFICES]
    for village, _ in VILLAGES:
        units.append([village, TOWN, "村"])
        units += [[f"{village}第{g}网格", village, "网格"] for g in range(1, GRIDS_PER_VILLAGE + 1)]

    cadres: list[list[Any]] = []
    name, userid = names.cadre()
    cadres.append([name, "demo_admin", "党政办", "管理员", ""])
    cadres.append([DEMO_LEADER_NAME, DEMO_LEADER, TOWN, "负责人", "13800009998"])
    name, userid = names.cadre()
    cadres.append([name, userid, "综治办", "负责人", _mobile(9000)])
    visitors: dict[str, list[str]] = {}
    phone_no = 9001
    for i, (village, _) in enumerate(VILLAGES):
        name, userid = names.cadre()
        cadres.append([name, userid, village, "负责人", _mobile(phone_no)])
        phone_no += 1
        visitors[village] = []
        if i == 0:
            cadres.append(
                [DEMO_CADRE_NAME, DEMO_CADRE, f"{village}第1网格", "走访干部", "13800009999"]
            )
        for k in range(8):
            name, userid = names.cadre()
            unit = LINE_OFFICES[k % 4] if k < 2 else f"{village}第{(k % GRIDS_PER_VILLAGE) + 1}网格"
            cadres.append([name, userid, unit, "走访干部", _mobile(phone_no)])
            phone_no += 1
            visitors[village].append(userid)

    rows = _targets(rng, names, targets, visitors)
    phases = [
        [name, today + timedelta(days=start), today + timedelta(days=end)]
        for name, start, end in PHASE_PLAN
    ]
    return DemoRoster(units, cadres, rows, phases)


def _mobile(n: int) -> str:
    return f"1380000{n % 10000:04d}"


def _targets(
    rng: random.Random, names: _Names, total: int, visitors: dict[str, list[str]]
) -> list[list[Any]]:
    mix, weights = zip(*HOUSEHOLD_MIX, strict=True)
    rows: list[list[Any]] = []
    per_village = [
        total // len(VILLAGES) + (1 if i < total % len(VILLAGES) else 0)
        for i in range(len(VILLAGES))
    ]
    phone_no = 0
    for (village, prefix), count in zip(VILLAGES, per_village, strict=True):
        groups = GRIDS_PER_VILLAGE * GROUPS_PER_GRID
        house = [0] * groups
        village_rows = []
        for n in range(1, count + 1):
            group = (n - 1) % groups + 1
            house[group - 1] += 1
            grid = f"第{(group - 1) // GROUPS_PER_GRID + 1}网格"
            address = f"{group}组{house[group - 1]}号"
            code = f"{prefix}-{n:04d}"
            phone_no += 1
            roll = rng.random()
            landline = f"0731-0000{phone_no % 10000:04d}"
            members: int | None = None
            if n <= groups:  # the first household of each group is its 组长
                head, phone, category = names.person()[0], _mobile(phone_no), "组长"
                members = rng.randint(2, 6)
            elif n % 97 == 0:  # one school per ~100 households
                head, phone, category = f"{village}小学", landline, "学校"
            elif roll < 0.05:
                head, phone, category = (
                    f"{village}{rng.choice(SHOP_NAMES)}",
                    _mobile(phone_no),
                    "商铺",
                )
            elif roll < 0.07:
                head, phone, category = f"{village}{rng.choice(COMPANY_NAMES)}", landline, "企业"
            else:
                head = names.person()[0]
                phone = _mobile(phone_no) if rng.random() < 0.9 else ""
                category = rng.choices(mix, weights=weights)[0]
                members = rng.choices((1, 2, 3, 4, 5, 6), (8, 20, 25, 25, 15, 7))[0]
            row = [code, head, village, grid, address, phone, category, members]
            village_rows.append(row)
        _assign(village_rows, visitors[village], demo=village == VILLAGES[0][0])
        for row in village_rows:  # 类型: shops, schools and companies are 单位或商铺
            row.append(vocab.TARGET_KIND_LABELS[vocab.kind_of_categories([str(row[6])])])
        rows += village_rows
    return rows


def _assign(rows: list[list[Any]], visitors: list[str], demo: bool) -> None:
    """Append the 走访干部 column: demo_cadre's 20 first, the rest round-robin."""
    for i, row in enumerate(rows):
        if demo and i < DEMO_CADRE_TARGETS:
            row.append(DEMO_CADRE)
        else:
            row.append(visitors[i % len(visitors)])


def build_demo_roster(
    path: str | Path, today: date, seed: int = DEMO_SEED, targets: int = 600
) -> Path:
    """Write the demo roster workbook (with the 说明 sheet) to ``path``; return the path."""
    demo = make_demo_roster(today, seed=seed, targets=targets)
    wb = new_roster_workbook()
    for sheet, rows in (
        (UNITS, demo.units),
        (CADRES, demo.cadres),
        (TARGETS, demo.targets),
        (PHASES, demo.phases),
    ):
        ws = wb[sheet]
        for row in rows:
            ws.append(row)
    for row in wb[PHASES].iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    write_notes(wb)
    wb.properties.creator = "minqing demo"
    wb.properties.created = datetime(today.year, today.month, today.day)
    out = Path(path)
    save_workbook(wb, out)
    _freeze_zip(out)
    return out


def _freeze_zip(path: Path) -> None:
    """Fix the zip entries' timestamps and the modified date (openpyxl stamps "now")
    so the same arguments always make the same bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    for i, (info, data) in enumerate(entries):
        if info.filename == "docProps/core.xml":
            created = re.search(rb"<dcterms:created[^>]*>([^<]*)<", data)
            if created:
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                    rb"\g<1>" + created.group(1) + rb"\g<2>",
                    data,
                )
            entries[i] = (info, data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
