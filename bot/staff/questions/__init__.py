"""Questions the documents did not answer, passed to the cafe staff and answered by them (issue 12)."""
