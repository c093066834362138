"""FAQ retrieval for the inquiry assistant (issue #15).

The engine is ``faq.retrieval`` (``FaqIndex``, ``Entry``, ``Hit``) with the Japanese
normaliser ``faq.normalize.normalize``. This package does not import them here so
that loading the package stays cheap (SudachiPy, numpy and bm25s load on first use).
"""
