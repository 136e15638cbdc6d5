"""The plain passive reply XML (before :mod:`bot.wecom.crypto` encrypts it)."""

from __future__ import annotations

from xml.sax.saxutils import escape


def element(tag: str, value: object) -> str:
    """One XML element with its text escaped, so any value is safe."""
    return f"<{tag}>{escape(str(value))}</{tag}>"


def reply_text_xml(userid: str, corp_id: str, content: str, create_time: int) -> str:
    """The plain passive reply (before encryption): a text message back to the user."""
    return (
        "<xml>"
        + element("ToUserName", userid)
        + element("FromUserName", corp_id)
        + element("CreateTime", create_time)
        + element("MsgType", "text")
        + element("Content", content)
        + "</xml>"
    )
