"""The Telegram front end: thin handlers over the answering services (see app.build_application)."""
