"""The idea intake: a persistent ConversationHandler (/idea or the "ask an expert" button) with back, edit,
cancel and a summary card. The draft lives in the founder's PTB user_data, which our persistence keeps in the
database (bot.telegram.persistence): a restart or another replica continues mid-intake, and
/deletemydata erases it with the rest of the user data."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.answering.llm import make_chat_model
from bot.answering.routing_rules import asks_for_idea_review
from bot.escalation.buttons import ATTACHMENT, IntakeAction, intake_data, intake_pattern
from bot.escalation.enums import INTAKE_FIELDS, ContentKind, EscalationError, IntakeField, Stage
from bot.escalation.notices import fields_text
from bot.escalation.summary import CaseSummarizer
from bot.escalation.tickets import check_fields
from bot.escalation.workflow import Attachment, Founder
from bot.storage.state_store import StateName
from bot.strings import t
from bot.telegram.context import App, Context, conversation_id, resolve_language, store_draft
from bot.telegram.delivery import Target, deliver, topic_of
from bot.telegram.keyboards import (
    ASK_EXPERT_PATTERN,
    CafeOrigin,
    answer_keyboard,
    cafe_data,
    cafe_keyboard,
    cafe_pattern,
    parse_cafe,
)
from bot.telegram.outbox_sender import kick
from bot.telegram.render import render_answer

log = logging.getLogger(__name__)

# The steps: the ticket's fields, then the optional attachment. A step's number is its conversation state.
ORDER: tuple[str, ...] = (*INTAKE_FIELDS, ATTACHMENT)
CONFIRM, PICK, PICK_CAFE = len(ORDER), len(ORDER) + 1, len(ORDER) + 2
STAGE_STEP, ATTACHMENT_STEP = ORDER.index(IntakeField.STAGE), ORDER.index(ATTACHMENT)
TEXT_STATES = {i for i in range(len(ORDER)) if i not in (STAGE_STEP, ATTACHMENT_STEP)}
DRAFT_KEY = "intake_draft"  # in user_data; JSON, as the persistence stores it
IMAGE_OR_PDF = filters.Document.PDF | filters.Document.IMAGE | filters.PHOTO


def _draft(context: Context) -> dict[str, Any]:
    """The founder's unfinished intake: {"fields": {...}, "editing": bool, "lang": str, "attachment": {...}}."""
    user_data = context.user_data if context.user_data is not None else {}
    draft = user_data.get(DRAFT_KEY)
    return draft if isinstance(draft, dict) else {"fields": {}, "editing": False}


def _nav(lang: str, back: bool = True) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(t("esc.btn.back", lang), callback_data=intake_data(IntakeAction.BACK))] if back else []
    return row + [InlineKeyboardButton(t("esc.btn.cancel", lang), callback_data=intake_data(IntakeAction.CANCEL))]


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, reply_markup=markup)


async def ask(update: Update, context: Context, step: int, lang: str) -> int:
    """Show the question for `step` (or the summary card) and move the conversation there."""
    if step >= CONFIRM:
        draft = _draft(context)
        attachment = (draft.get("attachment") or {}).get("name") or t("esc.intake.none", lang)
        body = fields_text(draft["fields"], lang) + f"\n{t('esc.field.attachment', lang)}: {attachment}"
        confirm = InlineKeyboardButton(t("esc.btn.confirm", lang), callback_data=intake_data(IntakeAction.CONFIRM))
        edit = InlineKeyboardButton(t("esc.btn.edit", lang), callback_data=intake_data(IntakeAction.EDIT))
        markup = InlineKeyboardMarkup([[confirm, edit], _nav(lang)])
        await _reply(update, t("esc.intake.card", lang, fields=body), markup)
        return CONFIRM
    name = ORDER[step]
    rows = []
    if step == STAGE_STEP:
        rows.append([InlineKeyboardButton(t(f"esc.stage.{s}", lang), callback_data=intake_data(IntakeAction.STAGE, s))
                     for s in Stage])
    if step == ATTACHMENT_STEP:
        rows.append([InlineKeyboardButton(t("esc.btn.skip", lang), callback_data=intake_data(IntakeAction.SKIP))])
    rows.append(_nav(lang, back=step > 0))
    await _reply(update, t(f"esc.ask.{name}", lang), InlineKeyboardMarkup(rows))
    return step


async def _advance(update: Update, context: Context, step: int, lang: str) -> int:
    draft = _draft(context)
    if draft.get("editing"):
        draft["editing"] = False
        store_draft(context, DRAFT_KEY, draft)
        return await ask(update, context, CONFIRM, lang)
    return await ask(update, context, step + 1, lang)


async def start(update: Update, context: Context) -> int:
    lang = await resolve_language(update, context)
    query = update.callback_query
    if query is not None:
        await query.answer()
        if not await asyncio.to_thread(context.services.escalation.experts.any_active):
            # With nobody registered to review, the button points founders to a cafe instead.
            chat = update.effective_chat
            if chat is not None:
                await context.bot.send_message(chat.id, t("tg.expert.pending", lang),
                                               message_thread_id=topic_of(query.message))
            store_draft(context, DRAFT_KEY, None)  # pressed mid-intake: the draft would have no way forward
            return ConversationHandler.END
    store_draft(context, DRAFT_KEY, {"fields": {}, "editing": False, "lang": lang})
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
    services = context.services
    lang = await resolve_language(update, context, message.text)
    answer = await services.answers.answer(
        conversation_id(message.chat_id), message.text, user_id=user.id if user else None, lang=lang)
    if answer.kind != "idea_review" or not await asyncio.to_thread(services.escalation.experts.any_active):
        await deliver(context.bot, Target.of(message), render_answer(answer), answer_keyboard(answer))
        return ConversationHandler.END
    draft = {"fields": {IntakeField.SUMMARY.value: message.text.strip()[:2000]}, "editing": False, "lang": lang}
    store_draft(context, DRAFT_KEY, draft)
    log.info("idea review asked in a message; intake started with it as the summary")
    await _reply(update, t("esc.intake.start_from_message", lang))
    return await ask(update, context, 1, lang)


def _text_step(step: int) -> Callable[[Update, Context], Coroutine[Any, Any, int]]:
    async def on_text(update: Update, context: Context) -> int:
        lang = await resolve_language(update, context)
        text = (update.effective_message.text or "").strip() if update.effective_message else ""
        if not text:
            return step
        draft = _draft(context)
        draft["fields"][ORDER[step]] = text[:2000]
        store_draft(context, DRAFT_KEY, draft)
        return await _advance(update, context, step, lang)
    return on_text


async def on_stage(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    lang = await resolve_language(update, context)
    draft = _draft(context)
    draft["fields"][IntakeField.STAGE] = Stage(context.match.group(1))
    store_draft(context, DRAFT_KEY, draft)
    return await _advance(update, context, STAGE_STEP, lang)


async def on_attachment(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None
    lang = await resolve_language(update, context)
    limit = context.services.settings.max_upload_bytes
    if message.document is not None:
        document = message.document
        size, file_id, kind, name = document.file_size, document.file_id, ContentKind.DOCUMENT, document.file_name
    else:
        photo = message.photo[-1]
        size, file_id, kind, name = photo.file_size, photo.file_id, ContentKind.PHOTO, "photo"
    name = name or "document"
    if size is not None and size > limit:
        log.info("intake: a %d-byte attachment (limit %d)", size, limit)
        await _reply(update, t("esc.intake.too_large", lang))
        return ATTACHMENT_STEP
    draft = _draft(context)
    draft["attachment"] = {"file_id": file_id, "kind": kind, "name": name}
    store_draft(context, DRAFT_KEY, draft)
    await _reply(update, t("esc.intake.attached", lang, name=name))
    return await ask(update, context, CONFIRM, lang)


async def on_bad_attachment(update: Update, context: Context) -> int:
    lang = await resolve_language(update, context)
    log.info("intake: an attachment that is not a PDF or image")
    await _reply(update, t("esc.intake.need_file", lang))
    return ATTACHMENT_STEP


async def on_skip(update: Update, context: Context) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    return await ask(update, context, CONFIRM, await resolve_language(update, context))


def _back_from(step: int) -> Callable[[Update, Context], Coroutine[Any, Any, int]]:
    async def on_back(update: Update, context: Context) -> int:
        if update.callback_query is not None:
            await update.callback_query.answer()
        return await ask(update, context, max(step - 1, 0), await resolve_language(update, context))
    return on_back


async def on_cancel(update: Update, context: Context) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
    store_draft(context, DRAFT_KEY, None)
    await _reply(update, t("esc.intake.cancelled", await resolve_language(update, context)))
    return ConversationHandler.END


async def on_edit(update: Update, context: Context) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    lang = await resolve_language(update, context)
    rows = [[InlineKeyboardButton(t(f"esc.field.{n}", lang), callback_data=intake_data(IntakeAction.FIELD, n))]
            for n in ORDER]
    await _reply(update, t("esc.intake.pick_field", lang), InlineKeyboardMarkup(rows + [_nav(lang)]))
    return PICK


async def on_pick(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    draft = _draft(context)
    draft["editing"] = True
    store_draft(context, DRAFT_KEY, draft)
    return await ask(update, context, ORDER.index(context.match.group(1)), await resolve_language(update, context))


async def on_confirm(update: Update, context: Context) -> int:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    lang = await resolve_language(update, context)
    try:
        check_fields(_draft(context)["fields"])  # before anything else is asked, or the LLM digests a partial draft
    except EscalationError as err:
        log.info("intake incomplete: %s", err.code)
        await _reply(update, t(f"esc.err.{err.code}", lang))
        return await ask(update, context, CONFIRM, lang)
    registry = context.services.cafes
    if await asyncio.to_thread(registry.founder_cafe, user.id) is None and (
            cafes := await asyncio.to_thread(registry.cafes)):
        # The idea goes to the founder's cafe's experts: which cafe, first (remembered, as /cafe does).
        await _reply(update, t("cafe.first", lang),
                     cafe_keyboard(cafes, lang, lambda cafe: cafe_data(cafe, CafeOrigin.INTAKE)))
        return PICK_CAFE
    return await _submit(update, context, lang)


async def on_cafe(update: Update, context: Context) -> int:
    """The founder's cafe, asked on the way to submitting: remembered, then the idea is submitted."""
    query = update.callback_query
    picked = parse_cafe(query.data if query is not None else None)
    assert query is not None and picked is not None
    lang = await resolve_language(update, context)
    try:
        await asyncio.to_thread(context.services.cafes.choose, query.from_user.id, picked[0])
    except KeyError:
        await query.answer(t("cafe.gone", lang), show_alert=True)
        return PICK_CAFE
    await query.answer()
    return await _submit(update, context, lang)


async def _submit(update: Update, context: Context, lang: str) -> int:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services, settings = context.services, context.services.settings
    draft = _draft(context)
    stored = draft.get("attachment") or {}
    attachment = (Attachment(stored["file_id"], stored.get("kind", ContentKind.DOCUMENT)) if stored.get("file_id")
                  else None)
    # Minimum collection (PIPA): the founder's name and username are kept only when experts are shown them.
    contact = settings.expert_show_founder_contact
    founder = Founder(user.id, chat.id, user.full_name if contact else "", user.username if contact else None)
    summary = None
    if settings.llm_enabled:
        summary = await CaseSummarizer(make_chat_model(settings)).summarize(draft["fields"], settings.default_language)
    try:
        # The ticket and its card are stored in one transaction before anything is sent; the outbox delivers.
        ticket = await asyncio.to_thread(services.escalation.workflow.submit, founder, draft["fields"], lang=lang,
                                         group_chat_id=settings.expert_chat_id, attachment=attachment,
                                         summary=summary,
                                         cafe_id=await asyncio.to_thread(services.cafes.founder_cafe, user.id))
    except EscalationError as err:
        log.info("intake incomplete: %s", err.code)
        await _reply(update, t(f"esc.err.{err.code}", lang))
        return await ask(update, context, CONFIRM, lang)
    store_draft(context, DRAFT_KEY, None)
    await _reply(update, t("esc.ticket.created", lang, id=ticket.id,
                           hours=settings.escalation_expected_response_hours))
    kick(context)
    return ConversationHandler.END


Step = BaseHandler[Update, Context, object]


def build_intake() -> ConversationHandler[Context]:
    back_pattern = intake_pattern(IntakeAction.BACK)
    back: dict[int, Step] = {i: CallbackQueryHandler(_back_from(i), pattern=back_pattern) for i in range(PICK)}
    back[PICK] = CallbackQueryHandler(_back_from(CONFIRM + 1), pattern=back_pattern)
    states: dict[object, list[Step]] = {}
    for i in range(len(ORDER)):
        handlers: list[Step] = []
        if i in TEXT_STATES:
            handlers += [MessageHandler(filters.TEXT & ~filters.COMMAND, _text_step(i)),
                         MessageHandler(filters.ALL & ~filters.COMMAND, wrong_text)]
        elif i == STAGE_STEP:
            handlers += [CallbackQueryHandler(on_stage, pattern=intake_pattern(IntakeAction.STAGE)),
                         MessageHandler(filters.ALL & ~filters.COMMAND, wrong_stage)]
        else:
            handlers += [MessageHandler(IMAGE_OR_PDF, on_attachment),
                         CallbackQueryHandler(on_skip, pattern=intake_pattern(IntakeAction.SKIP)),
                         MessageHandler(filters.ALL & ~filters.COMMAND, on_bad_attachment)]
        states[i] = handlers + [back[i]]
    states[CONFIRM] = [CallbackQueryHandler(on_confirm, pattern=intake_pattern(IntakeAction.CONFIRM)),
                       CallbackQueryHandler(on_edit, pattern=intake_pattern(IntakeAction.EDIT)), back[CONFIRM]]
    states[PICK] = [CallbackQueryHandler(on_pick, pattern=intake_pattern(IntakeAction.FIELD)), back[PICK]]
    states[PICK_CAFE] = [CallbackQueryHandler(on_cafe, pattern=cafe_pattern(CafeOrigin.INTAKE)),
                         back[CONFIRM]]
    restart: list[Step] = [CommandHandler("idea", start, filters.ChatType.PRIVATE),
                           CallbackQueryHandler(start, pattern=ASK_EXPERT_PATTERN)]
    with warnings.catch_warnings():
        # Tracking per user and chat (not per message) is the point: the founder answers in free text too.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[*restart, MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
                                                   & IDEA_REQUEST, start_from_message)],
            states=states,
            # /idea and the ask button restart an intake from any step; a message is never taken for a new request
            # mid-intake (it answers the current step), so re-entry goes through the fallbacks, not the entries.
            fallbacks=[CallbackQueryHandler(on_cancel, pattern=intake_pattern(IntakeAction.CANCEL)),
                       CommandHandler("cancel", on_cancel), *restart],
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


def register(app: App) -> None:
    # Drafts of releases that kept them beside PTB's user data: the founder continues where they were.
    moved = app.bot_data.services.state.move_into_user_data(StateName.LEGACY_INTAKE, DRAFT_KEY)
    if moved:
        log.info("moved %d unfinished intake drafts into user data", moved)
    app.add_handler(build_intake())
