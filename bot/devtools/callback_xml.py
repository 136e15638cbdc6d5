"""Plain (decrypted) WeCom callback XML, the way WeCom writes it: the sender side.

The simulator, the benchmarks and the tests use these builders to produce exactly
what WeCom would send for a text, an image, a location, an event or a template-card
button click; they are then encrypted with :class:`bot.wecom.crypto.CallbackCrypto`.
Values are XML-escaped, so any text is safe.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.wecom.replies import element as _el


def _message(
    to: str, userid: str, create_time: int, msg_type: str, agent_id: int, *body: str
) -> str:
    head = (
        _el("ToUserName", to)
        + _el("FromUserName", userid)
        + _el("CreateTime", create_time)
        + _el("MsgType", msg_type)
    )
    return "<xml>" + head + "".join(body) + _el("AgentID", agent_id) + "</xml>"


def text_xml(
    corp_id: str, userid: str, content: str, msg_id: str, create_time: int, agent_id: int = 0
) -> str:
    return _message(
        corp_id,
        userid,
        create_time,
        "text",
        agent_id,
        _el("Content", content),
        _el("MsgId", msg_id),
    )


def image_xml(
    corp_id: str,
    userid: str,
    media_id: str,
    msg_id: str,
    create_time: int,
    agent_id: int = 0,
    pic_url: str = "",
) -> str:
    return _message(
        corp_id,
        userid,
        create_time,
        "image",
        agent_id,
        _el("PicUrl", pic_url),
        _el("MediaId", media_id),
        _el("MsgId", msg_id),
    )


def location_xml(
    corp_id: str,
    userid: str,
    latitude: float,
    longitude: float,
    msg_id: str,
    create_time: int,
    agent_id: int = 0,
    label: str = "",
) -> str:
    return _message(
        corp_id,
        userid,
        create_time,
        "location",
        agent_id,
        _el("Location_X", latitude),
        _el("Location_Y", longitude),
        _el("Scale", 15),
        _el("Label", label),
        _el("MsgId", msg_id),
    )


def voice_xml(
    corp_id: str, userid: str, media_id: str, msg_id: str, create_time: int, agent_id: int = 0
) -> str:
    return _message(
        corp_id,
        userid,
        create_time,
        "voice",
        agent_id,
        _el("MediaId", media_id),
        _el("Format", "amr"),
        _el("MsgId", msg_id),
    )


def event_xml(
    corp_id: str, userid: str, event: str, create_time: int, agent_id: int = 0, event_key: str = ""
) -> str:
    return _message(
        corp_id,
        userid,
        create_time,
        "event",
        agent_id,
        _el("Event", event),
        _el("EventKey", event_key),
    )


def card_click_xml(
    corp_id: str,
    userid: str,
    event_key: str,
    task_id: str,
    create_time: int,
    agent_id: int = 0,
    card_type: str = "button_interaction",
    response_code: str = "",
    selected: Sequence[str] = (),
    question_key: str = "q",
) -> str:
    """A ``template_card_event``: a button pressed (event_key) or options chosen (selected)."""
    items = ""
    if selected:
        options = "".join(_el("OptionId", o) for o in selected)
        items = (
            "<SelectedItems><SelectedItem>"
            + _el("QuestionKey", question_key)
            + "<OptionIds>"
            + options
            + "</OptionIds></SelectedItem></SelectedItems>"
        )
    return _message(
        corp_id,
        userid,
        create_time,
        "event",
        agent_id,
        _el("Event", "template_card_event"),
        _el("EventKey", event_key),
        _el("TaskId", task_id),
        _el("CardType", card_type),
        _el("ResponseCode", response_code),
        items,
    )
