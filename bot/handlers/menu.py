"""The app's menu in WeCom (``menu/create``): the buttons and the keys their clicks send.

Click keys are the ones the handlers answer (:data:`bot.handlers.visit_io.MENU_KEYS`,
导出 and 报表 in :mod:`bot.handlers.export_prompts`); with ``[pages] enabled``, one
button opens the pages' 总览 directly (a ``view`` button: WeCom's web authorization
identifies the user there). `minqing menu --push` sends it.
"""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.handlers import export_prompts as P
from bot.handlers.visit_io import MENU_KEYS
from bot.pages import links

KEY_OF = {word: key for key, word in MENU_KEYS.items()}  # 走访 -> visit, ...


def _click(name: str, key: str = "") -> dict[str, str]:
    return {"type": "click", "name": name, "key": key or KEY_OF[name]}


def app_menu(config: Config) -> dict[str, Any]:
    """The ``menu/create`` body for this app (WeCom allows 3 buttons, 5 under each)."""
    more: list[dict[str, str]] = [
        _click("新增"),
        _click("修改"),
        _click("导出表格", P.EXPORT_MENU_KEY),
        _click("报表", P.REPORT_MENU_KEY),
    ]
    if config.pages.enabled:
        more.append({"type": "view", "name": "总览页面", "url": f"{links.base_url(config)}/m/"})
    return {
        "button": [
            _click("走访"),
            _click("进度"),
            {"name": "更多", "sub_button": more},
        ]
    }
