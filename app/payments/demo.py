"""The demo provider: with no Stripe keys, a local checkout page where no money moves.

The page itself is served by app.donations.router (/demo-checkout/{reference}); its Pay and
Cancel buttons call the same service functions as Stripe's webhooks.
"""

from app.payments.base import Checkout, CheckoutRequest


async def create_checkout(request: CheckoutRequest) -> Checkout:
    # Relative: the checkout is on this server, whatever address the browser used to reach it.
    url = f"/demo-checkout/{request.reference}"
    return Checkout(session_id=f"demo_cs_{request.reference}", url=url)
