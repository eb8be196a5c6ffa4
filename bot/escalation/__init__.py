"""Expert escalation: tickets, routing, service levels and the outbox, with no knowledge of Telegram."""
