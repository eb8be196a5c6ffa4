"""Seoul Startup Cafe assistant (서울창업카페 도우미)."""

__version__ = "0.1.0"
