"""Seoul's startup cafes: the cafes file, each cafe's experts and staff, and which cafe a founder uses (issue 13)."""
