"""Applications (申請) to the city's online forms: the citizen flow and the staff queue (issue #14)."""
