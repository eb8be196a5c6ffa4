"""Operations: Prometheus metrics, JSON logs with context ids and redacted secrets, the health/metrics server.

Knows nothing of Telegram; the Telegram layer feeds it update ids and types.
"""
