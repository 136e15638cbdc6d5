"""``minqing menu [--push]``: show the app's WeCom menu, or push it (``menu/create``)."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.base import CliState, cli, pass_state
from bot.handlers.menu import app_menu
from bot.wecom.client import WecomApiError, WecomNetworkError
from bot.wecom.tokens import make_client


@cli.command("menu")
@click.option("--push", is_flag=True, help="Send the menu to WeCom (menu/create) for the agent.")
@pass_state
def menu_cmd(state: CliState, push: bool) -> None:
    """Print the app's menu (走访 · 进度 · 更多: 新增, 修改, 导出, 报表, 总览页面); --push sets it."""
    rt = state.runtime()
    menu = app_menu(rt.config)
    if not push:
        click.echo(json.dumps(menu, ensure_ascii=False, indent=2))
        return
    try:
        make_client(rt).create_menu(menu)
    except (WecomApiError, WecomNetworkError) as exc:
        click.echo(f"菜单未能设置：{exc}", err=True)
        sys.exit(1)
    click.echo(
        f"已设置应用 {rt.config.wecom.agent_id} 的菜单（{len(menu['button'])} 个一级按钮）",
        err=True,
    )
