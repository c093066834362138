"""The seam for online payment of bulky-waste fees — deliberately NOT connected.

Citizens pay with 粗大ごみ処理券 (料金シール) bought at shops; the application page says online payment is
not available. A city that contracts a payment provider implements ``PaymentProvider`` and wires it in
``bulky.services`` (``BulkyRequest.payment`` would then be ``"online"``). There is no fake implementation,
so nothing can pretend a fee was paid.
"""

from __future__ import annotations

from typing import Protocol


class PaymentProvider(Protocol):
    def create_payment(self, amount_yen: int, reference: str) -> str:
        """Start a payment of *amount_yen* (integer yen, > 0) for the application *reference*; returns the
        URL to redirect the citizen to (the provider's page). Raises on a provider error."""

    def verify_callback(self, params: dict[str, str]) -> tuple[str, bool]:
        """Check the provider's callback (*params*: query or form fields, signature included); returns
        ``(reference, paid)``. Raises ``ValueError`` when the signature is wrong."""
