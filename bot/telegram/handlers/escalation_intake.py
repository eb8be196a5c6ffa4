"""The idea intake: a persistent ConversationHandler (/idea or the "ask an expert" button) with back, edit,
cancel and a summary card; the draft lives in the database so a restart continues mid-intake."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.answering.llm import make_chat_model
from bot.answering.routing_rules import asks_for_idea_review
from bot.escalation.service import EscalationError
from bot.escalation.summary import CaseSummarizer
from bot.strings import t
from bot.telegram.context import Context, conversation_id, resolve_language, services_of
from bot.telegram.delivery import Target, deliver
from bot.telegram.handlers.escalation import enqueue_card, fields_text, kick
from bot.telegram.keyboards import ASK_EXPERT_PATTERN, answer_keyboard
from bot.telegram.render import render_answer

log = logging.getLogger(__name__)

ORDER = ("summary", "problem", "customers", "solution", "stage", "team", "feedback", "attachment")
CONFIRM, PICK = len(ORDER), len(ORDER) + 1
TEXT_STATES = {i for i, name in enumerate(ORDER) if name not in ("stage", "attachment")}
DRAFTS = "intake"
IMAGE_OR_PDF = filters.Document.PDF | filters.Document.IMAGE | filters.PHOTO


def _key(update: Update) -> str:
    return str(update.effective_user.id if update.effective_user else 0)


def _draft(context: Context, update: Update) -> dict:
    return services_of(context).escalation.state.get(DRAFTS, _key(update)) or {"fields": {}, "editing": False}


def _save(context: Context, update: Update, draft: dict | None) -> None:
    services_of(context).escalation.state.put(DRAFTS, _key(update), draft)


def _nav(lang: str, back: bool = True) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(t("esc.btn.back", lang), callback_data="esc:i:back")] if back else []
    return row + [InlineKeyboardButton(t("esc.btn.cancel", lang), callback_data="esc:i:cancel")]


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, reply_markup=markup)


async def ask(update: Update, context: Context, step: int, lang: str) -> int:
    """Show the question for `step` (or the summary card) and move the conversation there."""
    if step >= CONFIRM:
        draft = await asyncio.to_thread(_draft, context, update)
        attachment = (draft.get("attachment") or {}).get("name") or t("esc.intake.none", lang)
        body = fields_text(draft["fields"], lang) + f"\n{t('esc.field.attachment', lang)}: {attachment}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("esc.btn.confirm", lang), callback_data="esc:i:ok"),
                                        InlineKeyboardButton(t("esc.btn.edit", lang), callback_data="esc:i:edit")],
                                       _nav(lang)])
        await _reply(update, t("esc.intake.card", lang, fields=body), markup)
        return CONFIRM
    name = ORDER[step]
    rows = []
    if name == "stage":
        rows.append([InlineKeyboardButton(t(f"esc.stage.{s}", lang), callback_data=f"esc:i:stage:{s}")
                     for s in ("idea", "mvp", "revenue")])
    if name == "attachment":
        rows.append([InlineKeyboardButton(t("esc.btn.skip", lang), callback_data="esc:i:skip")])
    rows.append(_nav(lang, back=step > 0))
    await _reply(update, t(f"esc.ask.{name}", lang), InlineKeyboardMarkup(rows))
    return step


async def _advance(update: Update, context: Context, step: int, lang: str) -> int:
    draft = await asyncio.to_thread(_draft, context, update)
    if draft.get("editing"):
        draft["editing"] = False
        await asyncio.to_thread(_save, context, update, draft)
        return await ask(update, context, CONFIRM, lang)
    return await ask(update, context, step + 1, lang)


async def start(update: Update, context: Context) -> int:
    lang = await resolve_language(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await asyncio.to_thread(_save, context, update, {"fields": {}, "editing": False, "lang": lang})
    await _reply(update, t("esc.intake.start", lang))
    return await ask(update, context, 0, lang)


class _IdeaRequest(filters.MessageFilter):
    """A founder's message asking people to judge their own idea (the domain's rule; a pattern, no I/O)."""

    def filter(self, message: object) -> bool:
        text = getattr(message, "text", None)
        return isinstance(text, str) and asks_for_idea_review(text)


IDEA_REQUEST = _IdeaRequest(name="IdeaRequest")


async def start_from_message(update: Update, context: Context) -> int:
    """An idea review asked for in plain words starts the intake at once, the message as the idea's summary.

    The answering service still routes the message (it logs and counts it); with nobody registered to review,
    the founder gets its reply as any question would."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.text is not None
    services = services_of(context)
    lang = await resolve_language(update, context, message.text)
    answer = await services.answers.answer(
        conversation_id(message.chat_id), message.text, user_id=user.id if user else None, lang=lang)
    experts = await asyncio.to_thread(services.escalation.tickets.experts)
    if answer.kind != "idea_review" or not experts:
        await deliver(context.bot, Target.of(message), render_answer(answer), answer_keyboard(answer))
        return ConversationHandler.END
    draft = {"fields": {ORDER[0]: message.text.strip()[:2000]}, "editing": False, "lang": lang}
    await asyncio.to_thread(_save, context, update, draft)
    log.info("idea review asked in a message; intake started with it as the summary")
    await _reply(update, t("esc.intake.start_from_message", lang))
    return await ask(update, context, 1, lang)


def _text_step(step: int):  # type: ignore[no-untyped-def]
    async def on_text(update: Update, context: Context) -> int:
        lang = await resolve_language(update, context)
        text = (update.effective_message.text or "").strip() if update.effective_message else ""
        if not text:
            return step
        draft = await asyncio.to_thread(_draft, context, update)
        draft["fields"][ORDER[step]] = text[:2000]
        await asyncio.to_thread(_save, context, update, draft)
        return await _advance(update, context, step, lang)
    return on_text


async def on_stage(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    lang = await resolve_language(update, context)
    draft = await asyncio.to_thread(_draft, context, update)
    draft["fields"]["stage"] = context.match.group(1)
    await asyncio.to_thread(_save, context, update, draft)
    return await _advance(update, context, ORDER.index("stage"), lang)


async def on_attachment(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None
    lang = await resolve_language(update, context)
    limit = services_of(context).settings.max_upload_bytes
    if message.document is not None:
        size, file_id, kind, name = message.document.file_size, message.document.file_id, "document", \
            message.document.file_name or "document"
    else:
        size, file_id, kind, name = message.photo[-1].file_size, message.photo[-1].file_id, "photo", "photo"
    if size is not None and size > limit:
        log.info("intake: a %d-byte attachment (limit %d)", size, limit)
        await _reply(update, t("esc.intake.too_large", lang))
        return ORDER.index("attachment")
    draft = await asyncio.to_thread(_draft, context, update)
    draft["attachment"] = {"file_id": file_id, "kind": kind, "name": name}
    await asyncio.to_thread(_save, context, update, draft)
    await _reply(update, t("esc.intake.attached", lang, name=name))
    return await ask(update, context, CONFIRM, lang)


async def on_bad_attachment(update: Update, context: Context) -> int:
    lang = await resolve_language(update, context)
    log.info("intake: an attachment that is not a PDF or image")
    await _reply(update, t("esc.intake.need_file", lang))
    return ORDER.index("attachment")


async def on_skip(update: Update, context: Context) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    return await ask(update, context, CONFIRM, await resolve_language(update, context))


def _back_from(step: int):  # type: ignore[no-untyped-def]
    async def on_back(update: Update, context: Context) -> int:
        if update.callback_query is not None:
            await update.callback_query.answer()
        return await ask(update, context, max(step - 1, 0), await resolve_language(update, context))
    return on_back


async def on_cancel(update: Update, context: Context) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
    await asyncio.to_thread(_save, context, update, None)
    await _reply(update, t("esc.intake.cancelled", await resolve_language(update, context)))
    return ConversationHandler.END


async def on_edit(update: Update, context: Context) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    lang = await resolve_language(update, context)
    rows = [[InlineKeyboardButton(t(f"esc.field.{n}", lang), callback_data=f"esc:i:field:{n}")] for n in ORDER]
    await _reply(update, t("esc.intake.pick_field", lang), InlineKeyboardMarkup(rows + [_nav(lang)]))
    return PICK


async def on_pick(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    draft = await asyncio.to_thread(_draft, context, update)
    draft["editing"] = True
    await asyncio.to_thread(_save, context, update, draft)
    return await ask(update, context, ORDER.index(context.match.group(1)), await resolve_language(update, context))


async def on_confirm(update: Update, context: Context) -> int:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    await query.answer()
    services = services_of(context)
    lang = await resolve_language(update, context)
    draft = await asyncio.to_thread(_draft, context, update)
    attachment = draft.get("attachment") or {}
    tickets = services.escalation.tickets
    # Minimum collection (PIPA): the founder's name and username are kept only when experts are shown them.
    contact = services.settings.expert_show_founder_contact
    try:
        ticket = await asyncio.to_thread(
            tickets.create_ticket, founder_id=user.id, founder_chat_id=chat.id,
            founder_name=user.full_name if contact else "", founder_username=user.username if contact else None,
            fields=draft["fields"], lang=lang,
            attachment_file_id=attachment.get("file_id"), attachment_kind=attachment.get("kind"))
    except EscalationError as err:
        log.info("intake incomplete: %s", err.code)
        await _reply(update, t(f"esc.err.{err.code}", lang))
        return await ask(update, context, CONFIRM, lang)
    # The ticket and its card are stored before anything is sent; the outbox delivers them.
    ticket = await asyncio.to_thread(tickets.route, ticket.id, group_chat_id=services.settings.expert_chat_id)
    summary = None
    if services.settings.llm_enabled:
        summarizer = CaseSummarizer(make_chat_model(services.settings))
        summary = await summarizer.summarize(draft["fields"], services.settings.default_language)
    if ticket.route_chat_id is not None:
        await asyncio.to_thread(enqueue_card, context, ticket, ticket.route_chat_id, summary)
    await asyncio.to_thread(_save, context, update, None)
    await _reply(update, t("esc.ticket.created", lang, id=ticket.id,
                           hours=services.settings.escalation_expected_response_hours))
    kick(context)
    return ConversationHandler.END


def build_intake(ask_pattern: object = ASK_EXPERT_PATTERN) -> ConversationHandler:  # type: ignore[type-arg]
    back = {i: CallbackQueryHandler(_back_from(i), pattern=r"^esc:i:back$") for i in range(PICK + 1)}
    back[PICK] = CallbackQueryHandler(_back_from(CONFIRM + 1), pattern=r"^esc:i:back$")
    states: dict[object, list] = {}
    for i in range(len(ORDER)):
        handlers: list = []
        if i in TEXT_STATES:
            handlers.append(MessageHandler(filters.TEXT & ~filters.COMMAND, _text_step(i)))
        elif ORDER[i] == "stage":
            handlers += [CallbackQueryHandler(on_stage, pattern=r"^esc:i:stage:(idea|mvp|revenue)$"),
                         MessageHandler(filters.ALL & ~filters.COMMAND, wrong_stage)]
        else:
            handlers += [MessageHandler(IMAGE_OR_PDF, on_attachment),
                         CallbackQueryHandler(on_skip, pattern=r"^esc:i:skip$"),
                         MessageHandler(filters.ALL & ~filters.COMMAND, on_bad_attachment)]
        if i in TEXT_STATES:
            handlers.append(MessageHandler(filters.ALL & ~filters.COMMAND, wrong_text))
        states[i] = handlers + [back[i]]
    states[CONFIRM] = [CallbackQueryHandler(on_confirm, pattern=r"^esc:i:ok$"),
                       CallbackQueryHandler(on_edit, pattern=r"^esc:i:edit$"), back[CONFIRM]]
    states[PICK] = [CallbackQueryHandler(on_pick, pattern=r"^esc:i:field:(\w+)$"), back[PICK]]
    with warnings.catch_warnings():
        # Tracking per user and chat (not per message) is the point: the founder answers in free text too.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(states, ask_pattern)


def _conversation(states: dict[object, list], ask_pattern: object) -> ConversationHandler:  # type: ignore[type-arg]
    return ConversationHandler(
        entry_points=[CommandHandler("idea", start, filters.ChatType.PRIVATE),
                      CallbackQueryHandler(start, pattern=ask_pattern),  # type: ignore[arg-type]
                      MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & IDEA_REQUEST,
                                     start_from_message)],
        states=states,  # type: ignore[arg-type]
        # /idea and the ask button restart an intake from any step; a message is never taken for a new request
        # mid-intake (it answers the current step), so re-entry goes through the fallbacks, not the entry points.
        fallbacks=[CallbackQueryHandler(on_cancel, pattern=r"^esc:i:cancel$"), CommandHandler("cancel", on_cancel),
                   CommandHandler("idea", start, filters.ChatType.PRIVATE),
                   CallbackQueryHandler(start, pattern=ask_pattern)],  # type: ignore[arg-type]
        name="idea_intake", persistent=True, allow_reentry=False, per_message=False,
    )


async def wrong_stage(update: Update, context: Context) -> None:
    lang = await resolve_language(update, context)
    log.info("intake: typed instead of picking a stage")
    await _reply(update, t("esc.err.bad_stage", lang))


async def wrong_text(update: Update, context: Context) -> None:
    lang = await resolve_language(update, context)
    log.info("intake: a non-text answer")
    await _reply(update, t("esc.intake.need_text", lang))


def register(app: Application) -> None:  # type: ignore[type-arg]
    services = app.bot_data.services

    def ask_pattern(data: object) -> bool:
        # With nobody registered to review, the button keeps pointing founders to a cafe (tg.expert.pending).
        return isinstance(data, str) and re.match(ASK_EXPERT_PATTERN, data) is not None \
            and bool(services.escalation.tickets.experts())

    app.add_handler(build_intake(ask_pattern))
