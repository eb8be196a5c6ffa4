"""Questions for the cafe staff on Telegram: the founder's "ask the cafe staff", the staff's card buttons and
replies, "save as an answer for everyone", follow-ups, and /questions.

Thin: each handler parses the update, calls one step of bot.staff.questions off the event loop, answers, and kicks
the outbox, which delivers what the step queued.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.staff.questions.buttons import PATTERN, parse, passage_buttons
from bot.staff.questions.enums import DRAFT_PROMPTS, LinkPurpose, QuestionAction, StaffQuestionError
from bot.staff.questions.notices import Reply
from bot.staff.questions.service import Asker
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import inline_markup, replied_to, reply_to_press, tell, topic_of
from bot.telegram.guards import require_staff
from bot.telegram.keyboards import ASK_STAFF_PATTERN, ask_staff_data, cafe_keyboard, parse_ask_staff
from bot.telegram.outbox_sender import kick

log = logging.getLogger(__name__)

# The prompts a button opens: the typed reply to them means the purpose.
_PROMPTS = {QuestionAction.ANSWER: (LinkPurpose.ANSWER, "sq.prompt.answer"),
            QuestionAction.EDIT_QUESTION: (LinkPurpose.EDIT_QUESTION, "sq.prompt.edit_q"),
            QuestionAction.EDIT_ANSWER: (LinkPurpose.EDIT_ANSWER, "sq.prompt.edit_a"),
            QuestionAction.PROGRAMME: (LinkPurpose.PROGRAMME, "sq.prompt.programme"),
            QuestionAction.VALID_UNTIL: (LinkPurpose.VALID_UNTIL, "sq.prompt.until")}


async def refuse(update: Update, err: StaffQuestionError, lang: str) -> None:
    """Tell the person why the action was refused (the domain logged it)."""
    await tell(update, t(f"sq.err.{err.code}", lang))


async def on_ask_staff(update: Update, context: Context) -> None:
    """The founder's tap on "ask the cafe staff": their logged question goes to staff as they asked it."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    pressed = parse_ask_staff(query.data if query is not None else None)
    if query is None or user is None or chat is None or pressed is None:
        return
    lang = await resolve_language(update, context)
    services = context.services
    cafe_id = pressed.cafe_id or await asyncio.to_thread(services.cafes.founder_cafe, user.id)
    if cafe_id is None and (cafes := await asyncio.to_thread(services.cafes.cafes)):
        # Staff questions go to the founder's cafe: ask which one first (remembered, as /cafe does).
        await query.answer()
        await reply_to_press(query, t("cafe.first", lang), cafe_keyboard(
            cafes, lang, lambda cafe: ask_staff_data(pressed.question_id, cafe)))
        return
    if pressed.cafe_id is not None:
        try:
            await asyncio.to_thread(services.cafes.choose, user.id, pressed.cafe_id)
        except KeyError:
            await query.answer(t("cafe.gone", lang), show_alert=True)
            return
    asker = Asker(user.id, chat.id, user.full_name if services.settings.expert_show_founder_contact else "")
    try:
        told = await asyncio.to_thread(services.questions.ask, pressed.question_id, asker, lang, cafe_id=cafe_id)
    except StaffQuestionError as err:
        await refuse(update, err, lang)
        return
    await query.answer()
    await reply_to_press(query, told)
    kick(context)


async def _reply(query: CallbackQuery, reply: Reply) -> None:
    await reply_to_press(query, reply.text, inline_markup(reply.buttons))


async def on_button(update: Update, context: Context) -> None:
    """The staff's buttons: claim, answer, the documents cover it, not our topic, close, and the save draft."""
    query = update.callback_query
    if query is None or context.match is None or query.message is None:
        return
    if (lang := await require_staff(update, context)) is None:
        return
    press, user = parse(context.match), query.from_user
    chat_id, thread = query.message.chat.id, topic_of(query.message)
    questions, qid = context.services.questions, press.question_id
    try:
        if press.action is QuestionAction.GAP:
            await asyncio.to_thread(questions.ask_from_gap, qid, user.id)
            await query.answer()
        elif press.action is QuestionAction.CLAIM:
            await asyncio.to_thread(questions.claim, qid, user.id, user.full_name, chat_id, thread, lang)
            await query.answer()
        elif press.action is QuestionAction.COVERED and press.n is None:
            await asyncio.to_thread(questions.check, qid, user.id, "covered")
            count = len(await asyncio.to_thread(questions.tried, qid))
            await query.answer()
            await reply_to_press(query, t("sq.pick_passage", lang, id=qid), inline_markup(passage_buttons(qid, count)))
        elif press.action is QuestionAction.COVERED:
            await asyncio.to_thread(questions.covered, qid, user.id, int(press.n or 0), chat_id, thread, lang)
            await query.answer()
        elif press.action is QuestionAction.REDIRECT:
            await asyncio.to_thread(questions.redirect, qid, user.id, chat_id, thread, lang)
            await query.answer()
        elif press.action is QuestionAction.CLOSE:
            await asyncio.to_thread(questions.close, qid, user.id, chat_id, thread, lang)
            await query.answer()
        elif press.action is QuestionAction.SAVE:
            reply = await asyncio.to_thread(questions.drafts.start, qid, user.id, lang)
            await query.answer()
            await _reply(query, reply)
        elif press.action is QuestionAction.SCOPE:
            reply = await asyncio.to_thread(questions.drafts.toggle_scope, qid, user.id, lang)
            await query.answer()
            await _reply(query, reply)
        elif press.action is QuestionAction.CONFIRM:
            saved = await asyncio.to_thread(questions.drafts.confirm, qid, user.id, lang)
            await query.answer()
            await reply_to_press(query, saved)
        elif press.action is QuestionAction.CANCEL:
            await asyncio.to_thread(questions.drafts.cancel, qid, user.id)
            await query.answer(t("sq.cancelled", lang))
        else:
            purpose, key = _PROMPTS[press.action]
            await asyncio.to_thread(questions.check, qid, user.id, str(press.action),
                                    closed_ok=purpose in DRAFT_PROMPTS)
            await query.answer()
            prompt = await context.bot.send_message(chat_id, t(key, lang, id=qid), message_thread_id=thread,
                                                    reply_markup=ForceReply(selective=True))
            await asyncio.to_thread(questions.expect, chat_id, prompt.message_id, qid, purpose)
    except StaffQuestionError as err:
        await refuse(update, err, lang)
        return
    kick(context)


async def on_message(update: Update, context: Context) -> None:
    """A reply that belongs to a staff question: the staff's answer or draft edit, or the founder's follow-up.
    Anything else falls through to the other handlers."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or not message.text or message.text.startswith("/"):
        return
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == context.bot.id:
        async with context.bot_data.outbox_lock:  # a reply to a send still being recorded: let it be linked first
            pass
    questions = context.services.questions
    found = await asyncio.to_thread(questions.locate, message.chat.id, replied_to(message), topic_of(message))
    if found is None:
        return
    qid, purpose = found
    await _handle_reply(update, context, message, qid, purpose)
    raise ApplicationHandlerStop


async def _handle_reply(update: Update, context: Context, message: Message, qid: int, purpose: LinkPurpose) -> None:
    user = message.from_user
    assert user is not None and message.text is not None
    questions, text = context.services.questions, message.text
    lang = await resolve_language(update, context)
    try:
        if message.chat.type == ChatType.PRIVATE and not await asyncio.to_thread(
                context.services.staff.is_staff, user.id):
            ack = await asyncio.to_thread(questions.follow_up, qid, user.id, text)
            await message.reply_text(ack)
        elif purpose in DRAFT_PROMPTS:
            reply = await asyncio.to_thread(questions.drafts.edit, qid, user.id, purpose, text, lang)
            await message.reply_text(reply.text, reply_markup=inline_markup(reply.buttons))
        else:
            await asyncio.to_thread(questions.answer, qid, user.id, text, message.chat.id, topic_of(message), lang)
    except StaffQuestionError as err:
        await refuse(update, err, lang)
        return
    kick(context)


async def on_questions(update: Update, context: Context) -> None:
    """/questions: what staff still owe an answer."""
    message = update.effective_message
    if message is None or (lang := await require_staff(update, context)) is None:
        return
    user = update.effective_user
    waiting = await asyncio.to_thread(context.services.questions.waiting, user.id if user else None)
    if not waiting:
        await message.reply_text(t("sq.list.empty", lang))
        return
    lines = "\n".join(t("sq.list.line", lang, id=q.id, state=t(f"sq.state.{q.status}", lang),
                        question=q.question[:80]) for q in waiting)
    await message.reply_text(t("sq.list", lang, n=len(waiting), lines=lines))


# Before every other group: a reply to a question's message is the question's (an answer, a follow-up), whatever
# else the writer is doing; any other text passes through untouched (staff values, ticket replies, the Q&A).
GROUP = -3


def register(app: App) -> None:
    app.add_handler(CallbackQueryHandler(on_ask_staff, pattern=ASK_STAFF_PATTERN))
    app.add_handler(CallbackQueryHandler(on_button, pattern=PATTERN), group=GROUP)
    app.add_handler(CommandHandler("questions", on_questions), group=GROUP)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message),
                    group=GROUP)
