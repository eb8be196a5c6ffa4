"""Staff commands: /staff, /docs, /doc; the document buttons (metadata, undo, replace, remove); expiry. /stats is
bot.telegram.handlers.staff_stats."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC
from datetime import time as dtime

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.knowledge.registry import DocumentInfo
from bot.staff.announcements import kst_today
from bot.staff.roles import parse_user_id
from bot.strings import t
from bot.telegram.cafe_notices import cafe_buttons, cafe_choices, cafe_line, cafe_name
from bot.telegram.command_menu import set_role_menu
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import reply_to_press
from bot.telegram.guards import require_city_wide_staff, require_staff
from bot.telegram.staff_buttons import (
    ASK_VALUE_ACTIONS,
    DOC_PATTERN,
    DocAction,
    confirm_keyboard,
    document_keyboard,
    page_keyboard,
    parse_doc,
    replace_keyboard,
    with_cafe_rows,
)
from bot.telegram.staff_docs import REPLACE_NEXT_KEY, document_summary, valid_text

log = logging.getLogger(__name__)

PAGE_SIZE = 10
VALUE_GROUP = -2
AWAIT_KEY = "staff_awaiting"  # (action, document id) while a staff member is asked to type a value


async def staff_menus_on_start(context: Context) -> None:
    """Give every staff member and expert their menu (a new deployment may have reset it)."""
    services = context.services
    staff = set(await asyncio.to_thread(services.staff.all_ids))
    experts = await asyncio.to_thread(_expert_ids, context)
    for user_id in sorted(staff | experts):
        await set_role_menu(context.bot, user_id, services.settings.default_language, staff=user_id in staff,
                             expert=user_id in experts)


def _expert_ids(context: Context) -> set[int]:
    return {expert.user_id for expert in context.services.escalation.experts.all() if expert.active}


async def staff_command(update: Update, context: Context) -> None:
    """/staff list | add ID | remove ID."""
    message, user = update.effective_message, update.effective_user
    if (lang := await require_staff(update, context)) is None or message is None or user is None:
        return
    registry, me = context.services.staff, user.id
    args = context.args or []
    reply = message.reply_text
    if args[:1] == ["list"]:
        ids = await asyncio.to_thread(registry.all_ids)
        await reply(t("staff.list", lang, count=len(ids), ids="\n".join(map(str, ids))))
        return
    if args[:1] in (["add"], ["remove"]) and await require_city_wide_staff(update, context) is None:
        return  # a cafe's staff would otherwise add someone who sees every cafe
    if len(args) != 2 or args[0] not in ("add", "remove"):
        await reply(t("staff.usage", lang))
        return
    target = parse_user_id(args[1])
    if target is None:
        log.info("staff %s gave a bad user id", me)  # the value may be a founder's @username
        await reply(t("staff.bad_id", lang, value=args[1][:40]))
        return
    if args[0] == "add":
        added = await asyncio.to_thread(registry.add, target, me)
        if added:
            await set_role_menu(context.bot, target, context.services.settings.default_language,
                                 expert=target in await asyncio.to_thread(_expert_ids, context))
        await reply(t("staff.added" if added else "staff.already", lang, id=target))
    else:
        outcome = await asyncio.to_thread(registry.remove, target, me)
        if outcome == "removed":
            await set_role_menu(context.bot, target, context.services.settings.default_language, staff=False,
                                 expert=target in await asyncio.to_thread(_expert_ids, context))
        await reply(t(f"staff.{'removed' if outcome == 'removed' else 'remove_' + outcome}", lang, id=target))


def docs_page(context: Context, lang: str, page: int, staff_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /docs, sorted by title, with its previous / next buttons (blocking: run it off the loop).

    A cafe's staff see the city-wide documents and their cafe's notices; a cafe's notice is marked with its cafe."""
    services = context.services
    scope = services.cafes.scope(staff_id)
    docs = sorted((d for d in services.knowledge.list_documents() if scope.allows(d.cafe_id)), key=lambda d: d.title)
    if not docs:
        return t("staff.docs.empty", lang), None
    pages = (len(docs) + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    shown = docs[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [t("staff.docs.header", lang, start=page * PAGE_SIZE + 1, end=page * PAGE_SIZE + len(shown),
               total=len(docs))]
    names: dict[str, str] = {}

    def title(d: DocumentInfo) -> str:
        if d.cafe_id is None:
            return d.title
        if d.cafe_id not in names:
            names[d.cafe_id] = cafe_name(services, d.cafe_id, lang)
        return d.title + t("staff.docs.cafe", lang, cafe=names[d.cafe_id])

    lines += [t("staff.docs.line", lang, title=title(d), version=d.version, valid=valid_text(d, lang), id=d.id)
              for d in shown]
    return "\n".join(lines), page_keyboard(page, pages, lang)


async def docs_command(update: Update, context: Context) -> None:
    """/docs: the first page of documents."""
    user = update.effective_user
    if (lang := await require_staff(update, context)) is None or update.effective_message is None or user is None:
        return
    text, markup = await asyncio.to_thread(docs_page, context, lang, 0, user.id)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def doc_command(update: Update, context: Context) -> None:
    """/doc ID or /doc_ID: one document's details, the questions citing it, and its buttons."""
    message, user = update.effective_message, update.effective_user
    if (lang := await require_staff(update, context)) is None or message is None or user is None:
        return
    found = re.match(r"^/doc_([0-9a-f]+)", message.text or "")
    doc_id = found.group(1) if found else (context.args or [""])[0]
    if not doc_id:
        await message.reply_text(t("staff.doc.usage", lang))
        return
    services = context.services
    doc = await asyncio.to_thread(services.knowledge.get_document, doc_id)
    if doc is None:
        await message.reply_text(t("staff.doc.unknown", lang, id=doc_id[:40]))
        return
    if not (await asyncio.to_thread(services.cafes.scope, user.id)).allows(doc.cafe_id):
        await message.reply_text(t("staff.cafe.other", lang))
        return
    asked = await asyncio.to_thread(services.insight.citing_questions, doc_id)
    questions = "\n".join(f"• {q.asked_at:%m-%d} {q.question[:120]}" for q in asked) or t("staff.doc.no_questions",
                                                                                          lang)
    text = t("staff.doc.detail", lang, title=doc.title, id=doc.id, version=doc.version, file=doc.file_name,
             programme=doc.programme or t("staff.upload.none", lang), valid=valid_text(doc, lang),
             pages=doc.page_count, chunks=doc.chunk_count, questions=questions)
    if line := await asyncio.to_thread(cafe_line, services, doc, lang):
        text += "\n" + line
    cafes = await asyncio.to_thread(cafe_buttons, services, doc, user.id, lang)
    await message.reply_text(text, reply_markup=document_keyboard(doc.id, lang, cafes))


async def on_doc_button(update: Update, context: Context) -> None:
    """The document buttons: page, edit details, undo, replace, remove, new version, this cafe only.

    A cafe's staff act on city-wide documents and their cafe's notices; another cafe's notice (or replacing it) is
    refused with an alert and left as it was."""
    query = update.callback_query
    if query is None or (lang := await require_staff(update, context)) is None:
        return
    button = parse_doc(query.data)
    assert button is not None  # registered with DOC_PATTERN
    action, doc_id, other = button
    services = context.services
    uploads, kb = services.uploads, services.knowledge
    staff_id = query.from_user.id
    if action == DocAction.PAGE:
        await query.answer()
        text, markup = await asyncio.to_thread(docs_page, context, lang, button.page, staff_id)
        await query.edit_message_text(text, reply_markup=markup)
        return
    if action == DocAction.CANCEL:
        await query.answer()
        await query.edit_message_text(t("staff.cancelled", lang))
        return
    doc = await asyncio.to_thread(kb.get_document, doc_id)
    scope = await asyncio.to_thread(services.cafes.scope, staff_id)
    target = await asyncio.to_thread(kb.get_document, other) if action in (DocAction.REPLACE_TO,
                                                                           DocAction.REPLACE_OK) else None
    if doc is not None and not (scope.allows(doc.cafe_id) and (target is None or scope.allows(target.cafe_id))):
        log.warning("staff %s refused %s on document %s: another cafe's", staff_id, action, doc_id)
        await query.answer(t("staff.cafe.other", lang), show_alert=True)
        return
    await query.answer()
    if doc is None:
        await reply_to_press(query, t("staff.doc.gone", lang))
        return
    if action == DocAction.CAFE:
        await set_document_cafe(query, context, doc, other or None, lang)
    elif action in ASK_VALUE_ACTIONS:
        if context.user_data is not None:
            context.user_data[AWAIT_KEY] = (action.value, doc_id)
        await reply_to_press(query, t(f"staff.ask.{'programme' if action == DocAction.PROGRAMME else action}", lang))
    elif action == DocAction.UNDO:
        if doc.version > 1:
            await reply_to_press(query, t("staff.undo.only_new", lang))
            return
        await asyncio.to_thread(uploads.undo, doc_id, staff_id)
        log.info("staff %s undid the upload of %s", staff_id, doc_id)
        await query.edit_message_reply_markup(None)
        await reply_to_press(query, t("staff.undo.done", lang, title=doc.title))
    elif action == DocAction.REPLACE:
        others = [d for d in await asyncio.to_thread(kb.list_documents)
                  if d.id != doc_id and scope.allows(d.cafe_id)][:20]
        if not others:
            await reply_to_press(query, t("staff.replace.none", lang))
            return
        await reply_to_press(query, t("staff.replace.pick", lang, title=doc.title),
                             reply_markup=replace_keyboard(doc_id, others))
    elif action == DocAction.REPLACE_TO:
        if target is None:
            await reply_to_press(query, t("staff.doc.gone", lang))
            return
        await query.edit_message_text(t("staff.replace.confirm", lang, old=target.title),
                                      reply_markup=confirm_keyboard(lang, DocAction.REPLACE_OK, doc_id, other))
    elif action == DocAction.REPLACE_OK:
        result = await asyncio.to_thread(uploads.replace_with, doc_id, other, staff_id, scope)
        log.info("staff %s replaced %s with the upload %s", staff_id, other, doc_id)
        await query.edit_message_text(t("staff.replace.done", lang, title=result.document.title,
                                        version=result.document.version))
    elif action == DocAction.REMOVE:
        await reply_to_press(query, t("staff.remove.confirm", lang, title=doc.title),
                             reply_markup=confirm_keyboard(lang, DocAction.REMOVE_OK, doc_id))
    elif action == DocAction.REMOVE_OK:
        await asyncio.to_thread(uploads.remove, doc_id, staff_id)
        log.info("staff %s removed document %s", staff_id, doc_id)
        await query.edit_message_text(t("staff.remove.done", lang, title=doc.title))
    elif action == DocAction.NEW_VERSION:
        await reply_to_press(query, t("staff.replace.next_file", lang, title=doc.title),
                             reply_markup=confirm_keyboard(lang, DocAction.NEW_VERSION_OK, doc_id))
    elif action == DocAction.NEW_VERSION_OK:
        if context.user_data is not None:
            context.user_data[REPLACE_NEXT_KEY] = doc_id
        await query.edit_message_text(t("staff.replace.send_now", lang, title=doc.title))


async def set_document_cafe(query: CallbackQuery, context: Context, doc: DocumentInfo, cafe_id: str | None,
                            lang: str) -> None:
    """"This cafe only" (a cafe the staff member was offered) or back to every cafe: the document changes, the
    pressed keyboard offers the other way, and a reply says what founders now get."""
    services, staff_id = context.services, query.from_user.id
    offered = {c.id for c in await asyncio.to_thread(cafe_choices, services, doc, staff_id, lang)}
    if not offered or (cafe_id is not None and cafe_id not in offered):
        log.warning("staff %s refused making document %s cafe %s's: not offered", staff_id, doc.id, cafe_id)
        await reply_to_press(query, t("staff.cafe.other", lang))
        return
    scope = await asyncio.to_thread(services.cafes.scope, staff_id)
    try:
        doc = await asyncio.to_thread(services.uploads.set_cafe, doc.id, cafe_id, scope, staff_id)
    except PermissionError:
        await reply_to_press(query, t("staff.cafe.other", lang))
        return
    log.info("staff %s made document %s %s", staff_id, doc.id, f"cafe {cafe_id}'s" if cafe_id else "city-wide")
    message = query.message
    if isinstance(message, Message):
        rows = await asyncio.to_thread(cafe_buttons, services, doc, staff_id, lang)
        await query.edit_message_reply_markup(with_cafe_rows(message.reply_markup, rows))
    if cafe_id is None:
        await reply_to_press(query, t("staff.cafe.cleared", lang, title=doc.title))
    else:
        name = await asyncio.to_thread(cafe_name, services, cafe_id, lang)
        await reply_to_press(query, t("staff.cafe.set", lang, title=doc.title, cafe=name))


async def on_staff_value(update: Update, context: Context) -> None:
    """The title / programme / date a staff member was asked for; other text goes on to the Q&A handlers."""
    user_data = context.user_data
    pending = user_data.get(AWAIT_KEY) if user_data is not None else None
    message = update.effective_message
    if not pending or user_data is None or message is None or not message.text:
        return
    user_data.pop(AWAIT_KEY, None)
    action, doc_id = pending
    lang = await resolve_language(update, context)
    uploads = context.services.uploads
    setter = {DocAction.TITLE: uploads.set_title, DocAction.PROGRAMME: uploads.set_programme,
              DocAction.VALID: uploads.set_valid_until}[DocAction(action)]
    try:
        doc = await asyncio.to_thread(setter, doc_id, message.text)
    except ValueError:
        log.info("staff gave a bad date")
        user_data[AWAIT_KEY] = pending
        await message.reply_text(t("staff.meta.bad_date", lang, value=message.text[:40]))
        raise ApplicationHandlerStop from None
    except KeyError:
        await message.reply_text(t("staff.doc.gone", lang))
        raise ApplicationHandlerStop from None
    await message.reply_text(t("staff.meta.saved", lang) + "\n" + document_summary(doc, "", lang).strip())
    raise ApplicationHandlerStop


async def expiry_check(context: Context) -> None:
    """Daily: tell every staff member about documents that just passed their valid-until date."""
    services = context.services
    docs = await asyncio.to_thread(services.knowledge.list_documents)
    expired = await asyncio.to_thread(services.announcements.newly_expired, docs, kst_today())
    if not expired:
        return
    staff_ids = await asyncio.to_thread(services.staff.all_ids)
    scopes = {staff_id: await asyncio.to_thread(services.cafes.scope, staff_id) for staff_id in staff_ids}
    lang = services.settings.default_language
    for doc in expired:
        # A cafe's notice is its staff's (and city-wide staff's) to renew.
        told = [staff_id for staff_id in staff_ids if scopes[staff_id].allows(doc.cafe_id)]
        log.info("document %s expired on %s; telling %d staff", doc.id, doc.valid_until, len(told))
        for staff_id in told:
            try:
                await context.bot.send_message(staff_id, t("staff.expired", lang, title=doc.title,
                                                            valid=valid_text(doc, lang), id=doc.id))
            except Exception:  # one unreachable staff member must not stop the others hearing of it
                log.warning("could not tell staff %s about expired %s", staff_id, doc.id, exc_info=True)


def register(app: App) -> None:
    """Staff commands, the document buttons, the value staff were asked for, and the daily expiry check."""
    # A group of its own, before every other: a value staff were asked to type must reach nothing else (not
    # the Q&A, not ticket relaying); any other text passes through untouched.
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_staff_value),
                    group=VALUE_GROUP)
    app.add_handler(CommandHandler("staff", staff_command))
    app.add_handler(CommandHandler("docs", docs_command))
    app.add_handler(CommandHandler("doc", doc_command))
    app.add_handler(MessageHandler(filters.Regex(r"^/doc_[0-9a-f]+") & filters.ChatType.PRIVATE, doc_command))
    app.add_handler(CallbackQueryHandler(on_doc_button, pattern=DOC_PATTERN))
    if app.job_queue is not None:
        # 09:00 in Seoul, and once shortly after start so a restart does not skip a day's notices.
        app.job_queue.run_daily(expiry_check, dtime(0, 0, tzinfo=UTC), name="staff-expiry")
        app.job_queue.run_once(expiry_check, 30, name="staff-expiry-start")
        app.job_queue.run_once(staff_menus_on_start, 1, name="staff-menus")
