"""Staff tools, free of Telegram: the staff registry, uploads, announcements, statistics and the weekly chart."""
