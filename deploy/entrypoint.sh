#!/bin/sh
# The image's start steps (tests/test_deploy.py runs this same script against a fresh install):
#   no arguments:   bring the database schema up to date, then serve the bot (`cafebot run`)
#   arguments:      run that cafebot command instead, e.g. `docker compose run --rm bot db upgrade`
# With DB_AUTO_UPGRADE=false (several replicas) the schema is left alone: run `cafebot db upgrade` once per
# release before starting them (docs/deployment.md).
set -eu

if [ "$#" -gt 0 ]; then
    exec cafebot "$@"
fi
# Without a token `cafebot run` opens the console chat, which reads nothing in a container and exits, so the
# container would restart in silence. Asked of the settings, so a mounted .env counts too; a setting that does
# not parse fails here with its own message.
status=0
python -c 'import sys; from bot.config import load_settings; sys.exit(0 if load_settings().telegram_bot_token else 3)' \
    || status=$?
if [ "$status" -eq 3 ]; then
    echo "TELEGRAM_BOT_TOKEN is not set: put it in .env (README, Deployment). / TELEGRAM_BOT_TOKEN을 .env에 넣으세요." >&2
    exit 2
elif [ "$status" -ne 0 ]; then
    exit "$status"
fi
case "$(printf %s "${DB_AUTO_UPGRADE:-true}" | tr '[:upper:]' '[:lower:]')" in
    false | 0 | no | off | f | n) ;;
    *) cafebot db upgrade ;;
esac
exec cafebot run
